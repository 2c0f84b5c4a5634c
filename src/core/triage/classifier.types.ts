/**
 * Types of the trainable text classifier that maps a citizen report to a catalog class.
 * Every model is stored in one linear form — score(c) = bias[c] + Σ x_j · weights[c][j] — so
 * prediction, explanation and serialization are shared by naive Bayes, centroid and logistic models.
 */

/** Word segmenter port: the core never loads a native segmenter (jieba lives in src/triage). */
export type Tokenizer = (text: string) => readonly string[]

/** Which terms describe a text: segmenter words (+ bigrams), character n-grams, or both. */
export type FeatureKind = 'words' | 'chars' | 'both'

/** Term weighting: raw counts, or sublinear TF × IDF with L2 length normalisation. */
export type Weighting = 'counts' | 'tfidf'

/**
 * cnb: complement naive Bayes · mnb: multinomial naive Bayes · centroid: nearest centroid (cosine over
 * TF-IDF) · logreg: multinomial logistic regression trained with SGD.
 */
export type ModelKind = 'cnb' | 'mnb' | 'centroid' | 'logreg'

export interface FeatureConfig {
  readonly kind: FeatureKind
  /** Add adjacent-word bigrams to the word unigrams. */
  readonly wordBigrams: boolean
  readonly charMin: number
  readonly charMax: number
  readonly weighting: Weighting
  /** A title's terms count this many times (1 = like body text). */
  readonly titleWeight: number
  /** Terms seen in fewer training documents are dropped (keeps models small and robust). */
  readonly minDf: number
}

export interface TrainConfig {
  readonly features: FeatureConfig
  readonly model: ModelKind
  /** Additive smoothing for naive Bayes. */
  readonly alpha?: number
  /** SGD passes for logreg. */
  readonly epochs?: number
  /** L2 penalty for logreg. */
  readonly l2?: number
  /** Fit a softmax temperature on inner folds so confidences are comparable across models (default true). */
  readonly calibrate?: boolean
}

/** One labelled report; `title` is optional (e.g. an operator's case title). */
export interface LabelledRow {
  readonly text: string
  readonly label: string
  readonly title?: string
}

/** A trained classifier as plain JSON (no Maps, no typed arrays) so it can be saved and shipped. */
export interface Model {
  readonly version: 1
  readonly createdAt: string
  readonly config: TrainConfig
  readonly labels: readonly string[]
  readonly vocabulary: readonly string[]
  /** Per-term IDF when weighting is tfidf, else empty. */
  readonly idf: readonly number[]
  /** L2-normalise the term vector before scoring. */
  readonly normalize: boolean
  readonly weights: readonly (readonly number[])[]
  readonly bias: readonly number[]
  /** Confidence = softmax(score / temperature). */
  readonly temperature: number
  readonly trainedRows: number
}

export interface ScoredLabel {
  readonly label: string
  readonly score: number
}

export interface Explanation {
  /** The term as a person reads it: a word, a bigram "a b", or a character n-gram. */
  readonly token: string
  /** How much the term pushed the predicted class above the average class. */
  readonly weight: number
}

export interface Prediction {
  readonly label: string
  /** Probability-like confidence in [0, 1] of `label`. */
  readonly confidence: number
  /** The three most probable labels, best first; `score` is the same probability-like number. */
  readonly top: readonly ScoredLabel[]
  readonly explanation: readonly Explanation[]
}

export interface CvResult {
  readonly name: string
  readonly config: TrainConfig
  readonly accuracy: number
  readonly macroF1: number
  /** Accuracy of each fold, to show spread. */
  readonly foldAccuracy: readonly number[]
}
