/** How far two arrays of numbers are apart, for the kernel and model parity tests. */

/** The largest |got - want| over the elements (`err`) and the largest |want| (`scale`). */
export function distance(got: ArrayLike<number>, want: ArrayLike<number>): { err: number; scale: number } {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  return { err, scale };
}
