// Minimal declarations for the ml.js packages the adapters use (they ship no types). Internal:
// no public type of the library refers to them.
declare module 'ml-cart' {
  export class DecisionTreeClassifier {
    constructor(options?: Record<string, unknown>);
  }
}
declare module 'ml-random-forest' {
  export class RandomForestClassifier {
    constructor(options?: Record<string, unknown>);
  }
}
declare module 'ml-naivebayes' {
  export class GaussianNB {
    constructor();
  }
}
declare module 'ml-logistic-regression' {
  export default class LogisticRegression {
    constructor(options?: Record<string, unknown>);
  }
}
