;; The inner loops of pp-1 (models/core/preprocess.ts) in WebAssembly: the same IEEE double arithmetic in the same
;; order as the TypeScript they replace (WebAssembly never fuses a multiply and an add), so the results are
;; bit-identical; only V8's bounds checks and number conversions go. Compiled with wabt's wat2wasm by
;; `npm run build:wasm` into preprocess-wasm.ts; tests/models/preprocess-identity.test.ts holds them to pp-1.
(module
  (memory (export "memory") 1)

  ;; Math.round for x >= 0 (ties up): floor(x), plus one when the exact remainder is at least one half.
  (func $round (param $x f64) (result f64)
    (local $f f64)
    (local.set $f (f64.floor (local.get $x)))
    (if (result f64) (f64.ge (f64.sub (local.get $x) (local.get $f)) (f64.const 0.5))
      (then (f64.add (local.get $f) (f64.const 1)))
      (else (local.get $f))))

  ;; RGB(A) → grey, pp-1's BT.601 luma with alpha composited over black; returns Σ of the colour term. Opaque pixels
  ;; take the integer form round((299r + 587g + 114b) / 1000) and 2·(max − min) = |r−g| + |g−b| + |b−r| (equal to the
  ;; float formula for every input); translucent ones the float formula itself, round(luma · a / 255) and
  ;; (|r−g| + |g−b| + |b−r|) · a / 255, in one running sum as pp-1 adds them.
  (func (export "grey") (param $src i32) (param $n i32) (param $step i32) (param $dst i32) (result f64)
    (local $i i32) (local $r i32) (local $g i32) (local $b i32) (local $a i32) (local $hi i32) (local $lo i32) (local $k i32) (local $sum f64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $r (i32.load8_u (local.get $src)))
        (local.set $g (i32.load8_u offset=1 (local.get $src)))
        (local.set $b (i32.load8_u offset=2 (local.get $src)))
        (local.set $a (if (result i32) (i32.eq (local.get $step) (i32.const 4)) ;; not select: it would read past an RGB image's end
        (then (i32.load8_u offset=3 (local.get $src))) (else (i32.const 255))))
        (local.set $k (i32.add (i32.add (i32.mul (local.get $r) (i32.const 299)) (i32.mul (local.get $g) (i32.const 587))) (i32.mul (local.get $b) (i32.const 114))))
        (local.set $hi (select (local.get $r) (local.get $g) (i32.gt_u (local.get $r) (local.get $g))))
        (local.set $hi (select (local.get $hi) (local.get $b) (i32.gt_u (local.get $hi) (local.get $b))))
        (local.set $lo (select (local.get $r) (local.get $g) (i32.lt_u (local.get $r) (local.get $g))))
        (local.set $lo (select (local.get $lo) (local.get $b) (i32.lt_u (local.get $lo) (local.get $b))))
        (if (i32.eq (local.get $a) (i32.const 255))
          (then
            (i32.store8 (i32.add (local.get $dst) (local.get $i)) (i32.div_u (i32.add (local.get $k) (i32.const 500)) (i32.const 1000)))
            (local.set $sum (f64.add (local.get $sum) (f64.convert_i32_u (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1))))))
          (else
            (i32.store8 (i32.add (local.get $dst) (local.get $i))
              (i32.trunc_f64_u (call $round (f64.div (f64.mul (f64.div (f64.convert_i32_u (local.get $k)) (f64.const 1000)) (f64.convert_i32_u (local.get $a))) (f64.const 255)))))
            (local.set $sum (f64.add (local.get $sum)
              (f64.div (f64.convert_i32_u (i32.mul (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1)) (local.get $a))) (f64.const 255))))))
        (local.set $src (i32.add (local.get $src) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

;; 256 u32 counts of the grey values at $grey (n bytes) into $hist, which holds 4 × 256 u32 (zeroed here): four bytes
;; a step, each into its own table, so a run of equal values (an MRI's black background) is not one chain of
;; dependent increments; the tables are then added into the first.
  (func (export "histogram") (param $grey i32) (param $n i32) (param $hist i32)
    (local $end i32) (local $at i32) (local $x i32) (local $v i32)
    (memory.fill (local.get $hist) (i32.const 0) (i32.const 4096))
    (local.set $end (i32.add (local.get $grey) (i32.and (local.get $n) (i32.const -4))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $grey) (local.get $end)))
        (local.set $x (i32.load (local.get $grey)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)) (i32.const 2))))
        (i32.store offset=1024 (local.get $at) (i32.add (i32.load offset=1024 (local.get $at)) (i32.const 1)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)) (i32.const 2))))
        (i32.store offset=2048 (local.get $at) (i32.add (i32.load offset=2048 (local.get $at)) (i32.const 1)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 2))))
        (i32.store offset=3072 (local.get $at) (i32.add (i32.load offset=3072 (local.get $at)) (i32.const 1)))
        (local.set $grey (i32.add (local.get $grey) (i32.const 4)))
        (br $next)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 3))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $grey) (local.get $end)))
        (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load8_u (local.get $grey)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $grey (i32.add (local.get $grey) (i32.const 1)))
        (br $tail)))
    (block $foldDone
      (loop $fold
        (br_if $foldDone (i32.ge_u (local.get $v) (i32.const 1024)))
        (local.set $at (i32.add (local.get $hist) (local.get $v)))
        (i32.store (local.get $at) (i32.add (i32.add (i32.load (local.get $at)) (i32.load offset=1024 (local.get $at)))
                                            (i32.add (i32.load offset=2048 (local.get $at)) (i32.load offset=3072 (local.get $at)))))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $fold))))

  ;; For each row and column, how many pixels are brighter than $threshold (u32 counts at $rows and $cols, zeroed here).
  (func (export "brightCounts") (param $grey i32) (param $width i32) (param $height i32) (param $threshold i32) (param $rows i32) (param $cols i32)
    (local $y i32) (local $x i32) (local $count i32) (local $hit i32) (local $at i32)
    (memory.fill (local.get $cols) (i32.const 0) (i32.shl (local.get $width) (i32.const 2)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $count (i32.const 0))
        (local.set $x (i32.const 0))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $hit (i32.gt_u (i32.load8_u (local.get $grey)) (local.get $threshold)))
            (local.set $count (i32.add (local.get $count) (local.get $hit)))
            (local.set $at (i32.add (local.get $cols) (i32.shl (local.get $x) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (local.get $hit)))
            (local.set $grey (i32.add (local.get $grey) (i32.const 1)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (i32.store (i32.add (local.get $rows) (i32.shl (local.get $y) (i32.const 2))) (local.get $count))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; Area resize onto size × size: output (oy, ox) = round(Σ_r Σ_c grey[rIndex[r]·width + cIndex[c]] · rWeight[r] · cWeight[c] / area),
  ;; rows outer, columns inner, as pp-1 sums; capped at 255. start tables are i32 (size + 1), index i32, weight f64.
  (func (export "resize") (param $grey i32) (param $width i32) (param $size i32)
      (param $cStart i32) (param $cIndex i32) (param $cWeight i32) (param $rStart i32) (param $rIndex i32) (param $rWeight i32)
      (param $area f64) (param $out i32)
    (local $oy i32) (local $ox i32) (local $r i32) (local $r1 i32) (local $c i32) (local $c0 i32) (local $c1 i32)
    (local $base i32) (local $wy f64) (local $sum f64) (local $v f64)
    (block $rowsDone
      (loop $orow
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $size)))
        (local.set $ox (i32.const 0))
        (block $colsDone
          (loop $ocol
            (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $size)))
            (local.set $c0 (i32.load (i32.add (local.get $cStart) (i32.shl (local.get $ox) (i32.const 2)))))
            (local.set $c1 (i32.load offset=4 (i32.add (local.get $cStart) (i32.shl (local.get $ox) (i32.const 2)))))
            (local.set $r (i32.load (i32.add (local.get $rStart) (i32.shl (local.get $oy) (i32.const 2)))))
            (local.set $r1 (i32.load offset=4 (i32.add (local.get $rStart) (i32.shl (local.get $oy) (i32.const 2)))))
            (local.set $sum (f64.const 0))
            (block $rDone
              (loop $rloop
                (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
                (local.set $base (i32.add (local.get $grey)
                  (i32.mul (i32.load (i32.add (local.get $rIndex) (i32.shl (local.get $r) (i32.const 2)))) (local.get $width))))
                (local.set $wy (f64.load (i32.add (local.get $rWeight) (i32.shl (local.get $r) (i32.const 3)))))
                (local.set $c (local.get $c0))
                (block $cDone
                  (loop $cloop
                    (br_if $cDone (i32.ge_s (local.get $c) (local.get $c1)))
                    (local.set $sum (f64.add (local.get $sum)
                      (f64.mul
                        (f64.mul
                          (f64.convert_i32_u (i32.load8_u (i32.add (local.get $base) (i32.load (i32.add (local.get $cIndex) (i32.shl (local.get $c) (i32.const 2)))))))
                          (local.get $wy))
                        (f64.load (i32.add (local.get $cWeight) (i32.shl (local.get $c) (i32.const 3)))))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cloop)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $rloop)))
            (local.set $v (call $round (f64.div (local.get $sum) (local.get $area))))
            (i32.store8 (i32.add (local.get $out) (i32.add (i32.mul (local.get $oy) (local.get $size)) (local.get $ox)))
              (i32.trunc_f64_u (f64.min (local.get $v) (f64.const 255))))
            (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
            (br $ocol)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $orow))))

  ;; The same resize when every output column covers at most four source columns (a shrink of up to 3×, the usual case),
  ;; its cells padded to four with weight 0 — adding +0 leaves a non-negative sum exactly as it was — in $cells4
  ;; (i32 index, four per column) and $weights4 (f64, four per column): the column's cells stay in registers across the
  ;; rows, and two neighbouring outputs are summed side by side, each in pp-1's order.
  (func (export "resize4") (param $grey i32) (param $width i32) (param $size i32)
      (param $cells4 i32) (param $weights4 i32) (param $rStart i32) (param $rIndex i32) (param $rWeight i32)
      (param $area f64) (param $out i32)
    (local $oy i32) (local $ox i32) (local $r i32) (local $r0 i32) (local $r1 i32) (local $base i32) (local $wy f64)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $u0 f64) (local $u1 f64) (local $u2 f64) (local $u3 f64) (local $v0 f64) (local $v1 f64) (local $v2 f64) (local $v3 f64)
    (local $sa f64) (local $sb f64) (local $p i32) (local $q i32) (local $o i32)
    (block $rowsDone
      (loop $orow
        (br_if $rowsDone (i32.ge_u (local.get $oy) (local.get $size)))
        (local.set $r0 (i32.load (i32.add (local.get $rStart) (i32.shl (local.get $oy) (i32.const 2)))))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rStart) (i32.shl (local.get $oy) (i32.const 2)))))
        (local.set $ox (i32.const 0))
        (block $colsDone
          (loop $ocol
            (br_if $colsDone (i32.ge_u (local.get $ox) (local.get $size)))
            ;; column A = ox, column B = ox + 1 (or ox again at an odd end: computed twice, stored once)
            (local.set $p (i32.add (local.get $cells4) (i32.shl (local.get $ox) (i32.const 4))))
            (local.set $q (i32.add (local.get $weights4) (i32.shl (local.get $ox) (i32.const 5))))
            (local.set $a0 (i32.add (local.get $grey) (i32.load (local.get $p))))
            (local.set $a1 (i32.add (local.get $grey) (i32.load offset=4 (local.get $p))))
            (local.set $a2 (i32.add (local.get $grey) (i32.load offset=8 (local.get $p))))
            (local.set $a3 (i32.add (local.get $grey) (i32.load offset=12 (local.get $p))))
            (local.set $u0 (f64.load (local.get $q)))
            (local.set $u1 (f64.load offset=8 (local.get $q)))
            (local.set $u2 (f64.load offset=16 (local.get $q)))
            (local.set $u3 (f64.load offset=24 (local.get $q)))
            (if (i32.lt_u (i32.add (local.get $ox) (i32.const 1)) (local.get $size))
              (then
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $q (i32.add (local.get $q) (i32.const 32)))))
            (local.set $b0 (i32.add (local.get $grey) (i32.load (local.get $p))))
            (local.set $b1 (i32.add (local.get $grey) (i32.load offset=4 (local.get $p))))
            (local.set $b2 (i32.add (local.get $grey) (i32.load offset=8 (local.get $p))))
            (local.set $b3 (i32.add (local.get $grey) (i32.load offset=12 (local.get $p))))
            (local.set $v0 (f64.load (local.get $q)))
            (local.set $v1 (f64.load offset=8 (local.get $q)))
            (local.set $v2 (f64.load offset=16 (local.get $q)))
            (local.set $v3 (f64.load offset=24 (local.get $q)))
            (local.set $sa (f64.const 0))
            (local.set $sb (f64.const 0))
            (local.set $r (local.get $r0))
            (block $rDone
              (loop $rloop
                (br_if $rDone (i32.ge_s (local.get $r) (local.get $r1)))
                (local.set $base (i32.mul (i32.load (i32.add (local.get $rIndex) (i32.shl (local.get $r) (i32.const 2)))) (local.get $width)))
                (local.set $wy (f64.load (i32.add (local.get $rWeight) (i32.shl (local.get $r) (i32.const 3)))))
                (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $a0) (local.get $base)))) (local.get $wy)) (local.get $u0))))
                (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $b0) (local.get $base)))) (local.get $wy)) (local.get $v0))))
                (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $a1) (local.get $base)))) (local.get $wy)) (local.get $u1))))
                (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $b1) (local.get $base)))) (local.get $wy)) (local.get $v1))))
                (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $a2) (local.get $base)))) (local.get $wy)) (local.get $u2))))
                (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $b2) (local.get $base)))) (local.get $wy)) (local.get $v2))))
                (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $a3) (local.get $base)))) (local.get $wy)) (local.get $u3))))
                (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.mul (f64.convert_i32_u (i32.load8_u (i32.add (local.get $b3) (local.get $base)))) (local.get $wy)) (local.get $v3))))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $rloop)))
            (local.set $o (i32.add (local.get $out) (i32.add (i32.mul (local.get $oy) (local.get $size)) (local.get $ox))))
            (i32.store8 (local.get $o) (i32.trunc_f64_u (f64.min (call $round (f64.div (local.get $sa) (local.get $area))) (f64.const 255))))
            (if (i32.lt_u (i32.add (local.get $ox) (i32.const 1)) (local.get $size))
              (then (i32.store8 offset=1 (local.get $o) (i32.trunc_f64_u (f64.min (call $round (f64.div (local.get $sb) (local.get $area))) (f64.const 255))))))
            (local.set $ox (i32.add (local.get $ox) (i32.const 2)))
            (br $ocol)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $orow))))
  )
