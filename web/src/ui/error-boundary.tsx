import { Component, type ErrorInfo, type ReactNode } from 'react'

interface Props {
  /** what to show instead; gets a retry that re-mounts the children */
  readonly fallback: (error: Error, retry: () => void) => ReactNode
  readonly children: ReactNode
}

/** One failing panel must not blank a wall screen: it is replaced, the rest keeps running. */
export class ErrorBoundary extends Component<Props, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined }

  static getDerivedStateFromError(error: Error) {
    return { error }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('panel failed', error, info.componentStack)
  }

  override render(): ReactNode {
    return this.state.error
      ? this.props.fallback(this.state.error, () => this.setState({ error: undefined }))
      : this.props.children
  }
}
