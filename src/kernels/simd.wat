;; SIMD kernels for the encoders' and the classical models' dense loops. Compiled by `npm run build:wasm` into
;; simdWasm.ts (committed, so neither users nor the build need wabt). Pointers are byte offsets
;; into the exported memory; lengths count float32 values. A test checks that simdWasm.ts is the
;; compilation of this file.
(module
  (memory (export "memory") 1)

  ;; out[j] = src[j] + vec[j] for j < n, rounded to float32 (the same bits as a float64 sum rounded
  ;; to float32: double rounding is exact for a sum of two float32 values).
  ;; Returns 1 when some src[j] is NaN or outside [lo, hi] (lo = -FLT_MAX, hi = FLT_MAX: when some
  ;; value is NaN or infinite), else 0: the input's check rides on the pass that adds.
  (func (export "addVector") (param $src i32) (param $vec i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32) (result i32)
    (local $i i32) (local $end i32) (local $x v128) (local $l v128) (local $h v128) (local $ok v128) (local $s f32) (local $badScalar i32)
    (local.set $l (f32x4.splat (local.get $lo)))
    (local.set $h (f32x4.splat (local.get $hi)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
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
          (i32.eqz (i32.and (f32.ge (local.get $s) (local.get $lo)) (f32.le (local.get $s) (local.get $hi))))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (f32.add (local.get $s) (f32.load (i32.add (local.get $vec) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (i32.or (i32.eqz (i32x4.all_true (local.get $ok))) (local.get $badScalar)))

  ;; The float64 sum of src[0..n), or NaN when some value is NaN or outside [lo, hi] (with
  ;; lo = -FLT_MAX, hi = FLT_MAX: non-finite exactly when some value is, as float32 values cannot
  ;; overflow a float64 sum). Two float64x2 accumulators over the low and high lanes.
  (func (export "sumFloat64") (param $src i32) (param $n i32) (param $bmin f32) (param $bmax f32) (result f64)
    (local $i i32) (local $end i32) (local $x v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local $l v128) (local $h v128) (local $ok v128) (local $v f32) (local $badScalar i32)
    (local.set $l (f32x4.splat (local.get $bmin)))
    (local.set $h (f32x4.splat (local.get $bmax)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
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
        (local.set $v (f32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $badScalar (i32.or (local.get $badScalar)
          (i32.eqz (i32.and (f32.ge (local.get $v) (local.get $bmin)) (f32.le (local.get $v) (local.get $bmax))))))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (local.get $v))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (select (f64.const nan) (local.get $s) (i32.or (i32.eqz (i32x4.all_true (local.get $ok))) (local.get $badScalar))))

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
;; 1 when some value of src[0..n) is NaN or outside [lo, hi], else 0. Infinities are outside any
;; finite bounds, so lo = -FLT_MAX, hi = FLT_MAX is the finiteness check; the encoders pass their
;; value range, so the range and finiteness of the images are checked in one pass.
  (func (export "anyOutside") (param $src i32) (param $n i32) (param $lo f32) (param $hi f32) (result i32)
    (local $i i32) (local $end i32) (local $l v128) (local $h v128) (local $x v128) (local $ok v128) (local $s f32) (local $badScalar i32)
    (local.set $l (f32x4.splat (local.get $lo)))
    (local.set $h (f32x4.splat (local.get $hi)))
    (local.set $ok (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; four vectors a step: a lane stays all-ones while lo <= x <= hi (false for NaN)
        (local.set $x (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
        (local.set $x (v128.load offset=16 (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
        (local.set $x (v128.load offset=32 (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
        (local.set $x (v128.load offset=48 (i32.add (local.get $src) (local.get $i))))
        (local.set $ok (v128.and (local.get $ok) (v128.and (f32x4.ge (local.get $x) (local.get $l)) (f32x4.le (local.get $x) (local.get $h)))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $loop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $badScalar (i32.or (local.get $badScalar)
          (i32.eqz (i32.and (f32.ge (local.get $s) (local.get $lo)) (f32.le (local.get $s) (local.get $hi))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail)))
    (i32.or (i32.eqz (i32x4.all_true (local.get $ok))) (local.get $badScalar)))
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
;; Strip-packed matrix products, the building block of the linear algebra in linalg.ts.
;; A "strip" holds `w` adjacent columns of a kc-row panel, row by row (kc x w values, contiguous);
;; strip s of an operand starts at base + s * stride (bytes). For strips si of A and sj of B:
;;   C[w*si + q, w*sj + l] += sum over r < kc of A_si[r, q] * B_sj[r, l]
;; with C row-major float64 (ldc values a row). `upper` != 0 computes only si <= sj (a symmetric
;; product's upper blocks). Packing makes every load in the inner loop contiguous, and a 4-row
;; block of C stays in registers for the whole panel: the loop does 16 multiply-adds per 6 loads.

  ;; float32 strips of 8 columns; the 4 x 8 block at rows q0..q0+3 of strip A (pa already offset by
  ;; 4 * q0 bytes) is summed in float32 over the panel and added to C in float64.
  (func $microF32 (param $pa i32) (param $pb i32) (param $kc i32) (param $c i32) (param $ldc8 i32)
    (local $end i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $kc) (i32.const 5))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $s (v128.load32_splat (local.get $pa)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br $loop)))
    (call $addRowF32 (local.get $c) (local.get $a0) (local.get $a1))
    (call $addRowF32 (i32.add (local.get $c) (local.get $ldc8)) (local.get $a2) (local.get $a3))
    (call $addRowF32 (i32.add (local.get $c) (i32.shl (local.get $ldc8) (i32.const 1))) (local.get $a4) (local.get $a5))
    (call $addRowF32 (i32.add (local.get $c) (i32.mul (local.get $ldc8) (i32.const 3))) (local.get $a6) (local.get $a7)))

  ;; c[0..8) += float64 of the 8 float32 lanes of lo and hi.
  (func $addRowF32 (param $c i32) (param $lo v128) (param $hi v128)
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (f64x2.promote_low_f32x4 (local.get $lo))))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $lo) (local.get $lo)))))
    (v128.store offset=32 (local.get $c) (f64x2.add (v128.load offset=32 (local.get $c)) (f64x2.promote_low_f32x4 (local.get $hi))))
    (v128.store offset=48 (local.get $c) (f64x2.add (v128.load offset=48 (local.get $c))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $hi) (local.get $hi))))))

  ;; The strip product above for float32 strips of 8 columns (w = 8), into float64 C.
  (func (export "gemmStripsF32") (param $pa i32) (param $pb i32) (param $kc i32) (param $nsa i32) (param $nsb i32)
    (param $strideA i32) (param $strideB i32) (param $c i32) (param $ldc i32) (param $upper i32)
    (local $si i32) (local $sj i32) (local $siEnd i32) (local $ldc8 i32) (local $a i32) (local $b i32) (local $crow i32)
    (local.set $ldc8 (i32.shl (local.get $ldc) (i32.const 3)))
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $sj) (local.get $nsb)))
      (local.set $b (i32.add (local.get $pb) (i32.mul (local.get $sj) (local.get $strideB))))
      (local.set $siEnd (local.get $nsa))
      (if (i32.and (i32.ne (local.get $upper) (i32.const 0)) (i32.lt_u (local.get $sj) (local.get $nsa)))
        (then (local.set $siEnd (i32.add (local.get $sj) (i32.const 1)))))
      (local.set $si (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $si) (local.get $siEnd)))
        (local.set $a (i32.add (local.get $pa) (i32.mul (local.get $si) (local.get $strideA))))
        (local.set $crow (i32.add (local.get $c)
          (i32.add (i32.mul (i32.shl (local.get $si) (i32.const 3)) (local.get $ldc8)) (i32.shl (local.get $sj) (i32.const 6)))))
        (call $microF32 (local.get $a) (local.get $b) (local.get $kc) (local.get $crow) (local.get $ldc8))
        (call $microF32 (i32.add (local.get $a) (i32.const 16)) (local.get $b) (local.get $kc)
          (i32.add (local.get $crow) (i32.shl (local.get $ldc8) (i32.const 2))) (local.get $ldc8))
        (local.set $si (i32.add (local.get $si) (i32.const 1)))
        (br $il)))
      (local.set $sj (i32.add (local.get $sj) (i32.const 1)))
      (br $jl))))

  ;; float64 strips of 4 columns: the 4 x 4 block of C for strips A and B, over the panel.
  (func $microF64 (param $pa i32) (param $pb i32) (param $kc i32) (param $c i32) (param $ldc8 i32)
    (local $end i32) (local $s v128) (local $b0 v128) (local $b1 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $kc) (i32.const 5))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
      (local.set $b0 (v128.load (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $s (v128.load64_splat (local.get $pa)))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $s) (local.get $b0))))
      (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load64_splat offset=8 (local.get $pa)))
      (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $s) (local.get $b0))))
      (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load64_splat offset=16 (local.get $pa)))
      (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $s) (local.get $b0))))
      (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load64_splat offset=24 (local.get $pa)))
      (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $s) (local.get $b0))))
      (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $s) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br $loop)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $a0)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $a1)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc8)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $a2)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $a3)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc8)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $a4)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $a5)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc8)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $a6)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $a7))))

  ;; The strip product above for float64 strips of 4 columns (w = 4).
  (func (export "gemmStripsF64") (param $pa i32) (param $pb i32) (param $kc i32) (param $nsa i32) (param $nsb i32)
    (param $strideA i32) (param $strideB i32) (param $c i32) (param $ldc i32) (param $upper i32)
    (local $si i32) (local $sj i32) (local $siEnd i32) (local $ldc8 i32) (local $b i32)
    (local.set $ldc8 (i32.shl (local.get $ldc) (i32.const 3)))
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $sj) (local.get $nsb)))
      (local.set $b (i32.add (local.get $pb) (i32.mul (local.get $sj) (local.get $strideB))))
      (local.set $siEnd (local.get $nsa))
      (if (i32.and (i32.ne (local.get $upper) (i32.const 0)) (i32.lt_u (local.get $sj) (local.get $nsa)))
        (then (local.set $siEnd (i32.add (local.get $sj) (i32.const 1)))))
      (local.set $si (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $si) (local.get $siEnd)))
        (call $microF64 (i32.add (local.get $pa) (i32.mul (local.get $si) (local.get $strideA))) (local.get $b) (local.get $kc)
          (i32.add (local.get $c) (i32.add (i32.mul (i32.shl (local.get $si) (i32.const 2)) (local.get $ldc8)) (i32.shl (local.get $sj) (i32.const 5))))
          (local.get $ldc8))
        (local.set $si (i32.add (local.get $si) (i32.const 1)))
        (br $il)))
      (local.set $sj (i32.add (local.get $sj) (i32.const 1)))
      (br $jl))))

  ;; y[0..n) += alpha * x[0..n) in float64 (the substitution steps of the triangular solves).
  (func (export "axpyF64") (param $x i32) (param $y i32) (param $n i32) (param $alpha f64)
    (local $i i32) (local $end i32) (local $a v128)
    (local.set $a (f64x2.splat (local.get $alpha)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $y) (local.get $i)) (f64x2.add (v128.load (i32.add (local.get $y) (local.get $i)))
        (f64x2.mul (local.get $a) (v128.load (i32.add (local.get $x) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $loop)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (i32.add (local.get $y) (local.get $i)) (f64.add (f64.load (i32.add (local.get $y) (local.get $i)))
        (f64.mul (local.get $alpha) (f64.load (i32.add (local.get $x) (local.get $i)))))))))
)
