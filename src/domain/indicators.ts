export interface IndicatorTarget {
  direction: 'at_least' | 'at_most' | 'between';
  target: number | null;
  min: number | null;
  max: number | null;
}

/** Whether a reported value meets its target; null while nothing has been reported. */
export function indicatorMet(indicator: IndicatorTarget, value: number | null): boolean | null {
  if (value === null) return null;
  switch (indicator.direction) {
    case 'at_least':
      return value >= indicator.target!;
    case 'at_most':
      return value <= indicator.target!;
    case 'between':
      return value >= indicator.min! && value <= indicator.max!;
  }
}
