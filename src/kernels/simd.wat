;; SIMD kernels for the encoders' dense loops. Compiled by `npm run build:wasm` into
;; simdWasm.ts (committed, so neither users nor the build need wabt). Pointers are byte offsets
;; into the exported memory; lengths count float32 values. A test checks that simdWasm.ts is the
;; compilation of this file.
(module
  (memory (export "memory") 1)

  ;; out[j] = src[j] + vec[j] for j < n, rounded to float32 (the same bits as a float64 sum rounded
  ;; to float32: double rounding is exact for a sum of two float32 values).
  ;; Returns 1 when some src[j] is NaN or infinite (x - x is NaN exactly then), else 0.
  (func (export "addVector") (param $src i32) (param $vec i32) (param $out i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $x v128) (local $t v128) (local $bad v128) (local $s f32) (local $badScalar i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $t (f32x4.sub (local.get $x) (local.get $x)))
        (local.set $bad (v128.or (local.get $bad) (f32x4.ne (local.get $t) (local.get $t))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (f32x4.add (local.get $x) (v128.load (i32.add (local.get $vec) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $badScalar (i32.or (local.get $badScalar)
          (f32.ne (f32.sub (local.get $s) (local.get $s)) (f32.const 0))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add (local.get $s) (f32.load (i32.add (local.get $vec) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (i32.or (v128.any_true (local.get $bad)) (local.get $badScalar)))

  ;; The float64 sum of src[0..n): non-finite exactly when some value is (float32 values cannot
  ;; overflow a float64 sum). Two float64x2 accumulators over the low and high lanes.
  (func (export "sumFloat64") (param $src i32) (param $n i32) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $x))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (i32.add (local.get $src) (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (local.get $s))

  ;; out[j] = float32(float64(src[j]) + shift) for j < n: the same bits as the JavaScript
  ;; expression Math.fround(src[j] + shift).
  (func (export "addScalarFloat64") (param $src i32) (param $out i32) (param $n i32) (param $shift f64)
    (local $i i32) (local $end i32) (local $x v128) (local $k v128)
    (local.set $k (f64x2.splat (local.get $shift)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (f64x2.add (local.get $k) (f64x2.promote_low_f32x4 (local.get $x))))
            (f32x4.demote_f64x2_zero (f64x2.add (local.get $k) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.demote_f64 (f64.add (local.get $shift) (f64.promote_f32 (f32.load (i32.add (local.get $src) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))
;; 1 when some value of src[0..n) is NaN or infinite, else 0.
  (func (export "anyNonFinite") (param $src i32) (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $t v128) (local $bad v128) (local $s f32) (local $badScalar i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; four vectors a step: (x - x) is NaN exactly for NaN and infinities; NaN + anything is NaN
        (local.set $t (f32x4.add
          (f32x4.add
            (f32x4.sub (v128.load (i32.add (local.get $src) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i))))
            (f32x4.sub (v128.load offset=16 (i32.add (local.get $src) (local.get $i))) (v128.load offset=16 (i32.add (local.get $src) (local.get $i)))))
          (f32x4.add
            (f32x4.sub (v128.load offset=32 (i32.add (local.get $src) (local.get $i))) (v128.load offset=32 (i32.add (local.get $src) (local.get $i))))
            (f32x4.sub (v128.load offset=48 (i32.add (local.get $src) (local.get $i))) (v128.load offset=48 (i32.add (local.get $src) (local.get $i)))))))
        (local.set $bad (v128.or (local.get $bad) (f32x4.ne (local.get $t) (local.get $t))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $loop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $badScalar (i32.or (local.get $badScalar)
          (f32.ne (f32.sub (local.get $s) (local.get $s)) (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (i32.or (v128.any_true (local.get $bad)) (local.get $badScalar)))
;; z[r * k + c] = dot(x[r, :], w[c, :]) for r < rows, c < k (row-major x: rows x cols; w: k x cols).
  (func (export "matmulTransposed") (param $x i32) (param $w i32) (param $z i32) (param $rows i32) (param $cols i32) (param $k i32)
    (local $r i32) (local $c i32) (local $j i32) (local $xRow i32) (local $wRow i32) (local $end i32) (local $acc v128) (local $s f32)
    (local.set $end (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xRow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $classesDone
          (loop $classLoop
            (br_if $classesDone (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $wRow (i32.add (local.get $w) (i32.shl (i32.mul (local.get $c) (local.get $cols)) (i32.const 2))))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $j (i32.const 0))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_u (local.get $j) (local.get $end)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $xRow) (local.get $j))) (v128.load (i32.add (local.get $wRow) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $vec)))
            (local.set $s (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $j) (i32.shl (local.get $cols) (i32.const 2))))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $xRow) (local.get $j))) (f32.load (i32.add (local.get $wRow) (local.get $j))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $tail)))
            (f32.store (i32.add (local.get $z) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $k)) (local.get $c)) (i32.const 2))) (local.get $s))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $classLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; g[c, :] += d[r * k + c] * x[r, :] for r < rows, c < k: the gradient X^T D, accumulated.
  (func (export "accumulateOuter") (param $x i32) (param $d i32) (param $g i32) (param $rows i32) (param $cols i32) (param $k i32)
    (local $r i32) (local $c i32) (local $j i32) (local $xRow i32) (local $gRow i32) (local $end i32) (local $coef f32) (local $cv v128) (local $at i32)
    (local.set $end (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xRow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $classesDone
          (loop $classLoop
            (br_if $classesDone (i32.ge_u (local.get $c) (local.get $k)))
            (local.set $coef (f32.load (i32.add (local.get $d) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $k)) (local.get $c)) (i32.const 2)))))
            (if (f32.ne (local.get $coef) (f32.const 0))
              (then
                (local.set $cv (f32x4.splat (local.get $coef)))
                (local.set $gRow (i32.add (local.get $g) (i32.shl (i32.mul (local.get $c) (local.get $cols)) (i32.const 2))))
                (local.set $j (i32.const 0))
                (block $vecDone
                  (loop $vec
                    (br_if $vecDone (i32.ge_u (local.get $j) (local.get $end)))
                    (local.set $at (i32.add (local.get $gRow) (local.get $j)))
                    (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at))
                      (f32x4.mul (local.get $cv) (v128.load (i32.add (local.get $xRow) (local.get $j))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br $vec)))
                (block $tailDone
                  (loop $tail
                    (br_if $tailDone (i32.ge_u (local.get $j) (i32.shl (local.get $cols) (i32.const 2))))
                    (local.set $at (i32.add (local.get $gRow) (local.get $j)))
                    (f32.store (local.get $at) (f32.add (f32.load (local.get $at))
                      (f32.mul (local.get $coef) (f32.load (i32.add (local.get $xRow) (local.get $j))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $tail)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $classLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
)
