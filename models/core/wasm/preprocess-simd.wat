;; 128-bit SIMD versions of the hottest pp-1 loops in preprocess.wat, on that module's memory (imported). Each gives
;; the same bytes and doubles as the scalar kernel it stands in for: integer arithmetic is exact in any order, the
;; float steps are the same IEEE operations on the same operands, lane by lane. kernels.ts uses this module where the
;; runtime validates it (Chrome 91+, Safari 16.4+, Node 16.4+) and the scalar one elsewhere; both are held to pp-1.
(module
  (import "env" "memory" (memory 1))

  ;; 16 opaque pixels as r, g, b (u8 lanes) → 16 grey bytes at $dst, round((299r + 587g + 114b) / 1000) as the
  ;; scalar kernel's integer form; returns the pixels' max − min summed in pairs (i32 lanes).
  ;; (k + 500) / 1000 in f32 is exact here: k + 500 < 2^24 is exact, and a quotient at most 0.999 below the next
  ;; integer stays below it after rounding (an f32 ulp at 256 is 2^-15); tests run every RGB triple through it.
  (func $grey16 (param $r v128) (param $g v128) (param $b v128) (param $dst i32) (result v128)
    (local $rl v128) (local $gl v128) (local $bl v128) (local $rh v128) (local $gh v128) (local $bh v128)
    (local $d v128)
    (local.set $rl (i16x8.extend_low_i8x16_u (local.get $r)))
    (local.set $gl (i16x8.extend_low_i8x16_u (local.get $g)))
    (local.set $bl (i16x8.extend_low_i8x16_u (local.get $b)))
    (local.set $rh (i16x8.extend_high_i8x16_u (local.get $r)))
    (local.set $gh (i16x8.extend_high_i8x16_u (local.get $g)))
    (local.set $bh (i16x8.extend_high_i8x16_u (local.get $b)))
    (v128.store (local.get $dst)
      (i8x16.narrow_i16x8_u
        (i16x8.narrow_i32x4_u
          (i32x4.trunc_sat_f32x4_u (f32x4.div (f32x4.convert_i32x4_u (i32x4.add (i32x4.add (i32x4.add (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $rl)) (v128.const i32x4 299 299 299 299)) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $gl)) (v128.const i32x4 587 587 587 587))) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $bl)) (v128.const i32x4 114 114 114 114))) (v128.const i32x4 500 500 500 500))) (v128.const f32x4 1000 1000 1000 1000)))
          (i32x4.trunc_sat_f32x4_u (f32x4.div (f32x4.convert_i32x4_u (i32x4.add (i32x4.add (i32x4.add (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $rl)) (v128.const i32x4 299 299 299 299)) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $gl)) (v128.const i32x4 587 587 587 587))) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $bl)) (v128.const i32x4 114 114 114 114))) (v128.const i32x4 500 500 500 500))) (v128.const f32x4 1000 1000 1000 1000))))
        (i16x8.narrow_i32x4_u
          (i32x4.trunc_sat_f32x4_u (f32x4.div (f32x4.convert_i32x4_u (i32x4.add (i32x4.add (i32x4.add (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $rh)) (v128.const i32x4 299 299 299 299)) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $gh)) (v128.const i32x4 587 587 587 587))) (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $bh)) (v128.const i32x4 114 114 114 114))) (v128.const i32x4 500 500 500 500))) (v128.const f32x4 1000 1000 1000 1000)))
          (i32x4.trunc_sat_f32x4_u (f32x4.div (f32x4.convert_i32x4_u (i32x4.add (i32x4.add (i32x4.add (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $rh)) (v128.const i32x4 299 299 299 299)) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $gh)) (v128.const i32x4 587 587 587 587))) (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $bh)) (v128.const i32x4 114 114 114 114))) (v128.const i32x4 500 500 500 500))) (v128.const f32x4 1000 1000 1000 1000))))))
    (local.set $d (i8x16.sub
      (i8x16.max_u (i8x16.max_u (local.get $r) (local.get $g)) (local.get $b))
      (i8x16.min_u (i8x16.min_u (local.get $r) (local.get $g)) (local.get $b))))
    (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $d))))

  ;; One opaque pixel the scalar way (for the last n mod 16); returns 2·(max − min).
  (func $grey1 (param $src i32) (param $dst i32) (result i32)
    (local $r i32) (local $g i32) (local $b i32) (local $hi i32) (local $lo i32)
    (local.set $r (i32.load8_u (local.get $src)))
    (local.set $g (i32.load8_u offset=1 (local.get $src)))
    (local.set $b (i32.load8_u offset=2 (local.get $src)))
    (local.set $hi (select (local.get $r) (local.get $g) (i32.gt_u (local.get $r) (local.get $g))))
    (local.set $hi (select (local.get $hi) (local.get $b) (i32.gt_u (local.get $hi) (local.get $b))))
    (local.set $lo (select (local.get $r) (local.get $g) (i32.lt_u (local.get $r) (local.get $g))))
    (local.set $lo (select (local.get $lo) (local.get $b) (i32.lt_u (local.get $lo) (local.get $b))))
    (i32.store8 (local.get $dst)
      (i32.div_u (i32.add (i32.add (i32.add (i32.mul (local.get $r) (i32.const 299)) (i32.mul (local.get $g) (i32.const 587))) (i32.mul (local.get $b) (i32.const 114))) (i32.const 500)) (i32.const 1000)))
    (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1)))

  ;; 1 when every alpha byte of n RGBA pixels at $src is 255.
  (func $opaque (param $src i32) (param $n i32) (result i32)
    (local $end i32) (local $all v128)
    (local.set $all (v128.const i32x4 -1 -1 -1 -1))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $all (v128.and (local.get $all) (v128.or (v128.load (local.get $src)) (v128.const i32x4 0x00ffffff 0x00ffffff 0x00ffffff 0x00ffffff))))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $src) (local.get $end)))
        (if (i32.ne (i32.load8_u offset=3 (local.get $src)) (i32.const 255)) (then (return (i32.const 0))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $tail)))
    (i32x4.all_true (i32x4.eq (local.get $all) (v128.const i32x4 -1 -1 -1 -1))))

  ;; The scalar `grey` for RGB ($step 3) or wholly opaque RGBA ($step 4); returns −1, having written nothing, for RGBA
  ;; with a translucent pixel: those take the float formula in one running sum, the scalar kernel's work.
  (func (export "grey") (param $src i32) (param $n i32) (param $step i32) (param $dst i32) (result f64)
    (local $i i32) (local $blocks i32) (local $acc v128) (local $sum f64) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t v128) (local $u v128) (local $w v128) (local $x v128)
    (if (i32.eq (local.get $step) (i32.const 4))
      (then (if (i32.eqz (call $opaque (local.get $src) (local.get $n))) (then (return (f64.const -1))))))
    (local.set $blocks (i32.shr_u (local.get $n) (i32.const 4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $blocks)))
        (local.set $v0 (v128.load (local.get $src)))
        (local.set $v1 (v128.load offset=16 (local.get $src)))
        (local.set $v2 (v128.load offset=32 (local.get $src)))
        (if (i32.eq (local.get $step) (i32.const 3))
          (then
            (local.set $t (i8x16.shuffle 0 3 6 9 12 15 18 21 24 27 30 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $u (i8x16.shuffle 1 4 7 10 13 16 19 22 25 28 31 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $w (i8x16.shuffle 2 5 8 11 14 17 20 23 26 29 0 0 0 0 0 0 (local.get $v0) (local.get $v1)))
            (local.set $acc (i32x4.add (local.get $acc) (call $grey16
              (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 17 20 23 26 29 (local.get $t) (local.get $v2))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 18 21 24 27 30 (local.get $u) (local.get $v2))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 16 19 22 25 28 31 (local.get $w) (local.get $v2))
              (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 4))))))
            (local.set $src (i32.add (local.get $src) (i32.const 48))))
          (else
            (local.set $v3 (v128.load offset=48 (local.get $src)))
            ;; r and g of pixels 0–7 and 8–15, then b (and a)
            (local.set $t (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $v0) (local.get $v1)))
            (local.set $u (i8x16.shuffle 0 4 8 12 16 20 24 28 1 5 9 13 17 21 25 29 (local.get $v2) (local.get $v3)))
            (local.set $w (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $v0) (local.get $v1)))
            (local.set $x (i8x16.shuffle 2 6 10 14 18 22 26 30 3 7 11 15 19 23 27 31 (local.get $v2) (local.get $v3)))
            (local.set $acc (i32x4.add (local.get $acc) (call $grey16
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t) (local.get $u))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t) (local.get $u))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $w) (local.get $x))
              (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 4))))))
            (local.set $src (i32.add (local.get $src) (i32.const 64)))))
        ;; lanes hold at most 4 · 255 per block: flushed to the double every 2^16 blocks, long before 2^32
        (if (i32.eqz (i32.and (local.get $i) (i32.const 0xffff)))
          (then
            (local.set $sum (call $flush (local.get $sum) (local.get $acc)))
            (local.set $acc (v128.const i32x4 0 0 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.set $sum (f64.mul (call $flush (local.get $sum) (local.get $acc)) (f64.const 2)))
    (local.set $i (i32.shl (local.get $blocks) (i32.const 4)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (f64.add (local.get $sum) (f64.convert_i32_u (call $grey1 (local.get $src) (i32.add (local.get $dst) (local.get $i))))))
        (local.set $src (i32.add (local.get $src) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $sum))

  (func $flush (param $sum f64) (param $acc v128) (result f64)
    (f64.add (local.get $sum) (f64.convert_i32_u
      (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
               (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))))

  ;; The scalar `brightCounts`, 16 pixels a step: per row and per column, how many pixels are brighter than $threshold
  ;; (0–255: the splat keeps its low byte; preprocess.ts passes 12–31).
  (func (export "brightCounts") (param $grey i32) (param $width i32) (param $height i32) (param $threshold i32) (param $rows i32) (param $cols i32)
    (local $y i32) (local $x i32) (local $count i32) (local $hit i32) (local $at i32) (local $wide i32)
    (local $thr v128) (local $m v128) (local $acc v128) (local $lo v128) (local $hi v128)
    (memory.fill (local.get $cols) (i32.const 0) (i32.shl (local.get $width) (i32.const 2)))
    (local.set $thr (i8x16.splat (local.get $threshold)))
    (local.set $wide (i32.and (local.get $width) (i32.const -16)))
    (block $rowsDone
      (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $y) (local.get $height)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $x (i32.const 0))
        (block $blocksDone
          (loop $block
            (br_if $blocksDone (i32.ge_u (local.get $x) (local.get $wide)))
            ;; 1 where brighter, 0 elsewhere
            (local.set $m (v128.and (i8x16.gt_u (v128.load (i32.add (local.get $grey) (local.get $x))) (local.get $thr)) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
            (local.set $acc (i32x4.add (local.get $acc) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $m)))))
            (local.set $at (i32.add (local.get $cols) (i32.shl (local.get $x) (i32.const 2))))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $m)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $m)))
            (v128.store (local.get $at) (i32x4.add (v128.load (local.get $at)) (i32x4.extend_low_i16x8_u (local.get $lo))))
            (v128.store offset=16 (local.get $at) (i32x4.add (v128.load offset=16 (local.get $at)) (i32x4.extend_high_i16x8_u (local.get $lo))))
            (v128.store offset=32 (local.get $at) (i32x4.add (v128.load offset=32 (local.get $at)) (i32x4.extend_low_i16x8_u (local.get $hi))))
            (v128.store offset=48 (local.get $at) (i32x4.add (v128.load offset=48 (local.get $at)) (i32x4.extend_high_i16x8_u (local.get $hi))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $block)))
        (local.set $count (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                                   (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (block $colsDone
          (loop $col
            (br_if $colsDone (i32.ge_u (local.get $x) (local.get $width)))
            (local.set $hit (i32.gt_u (i32.load8_u (i32.add (local.get $grey) (local.get $x))) (local.get $threshold)))
            (local.set $count (i32.add (local.get $count) (local.get $hit)))
            (local.set $at (i32.add (local.get $cols) (i32.shl (local.get $x) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (local.get $hit)))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $col)))
        (i32.store (i32.add (local.get $rows) (i32.shl (local.get $y) (i32.const 2))) (local.get $count))
        (local.set $grey (i32.add (local.get $grey) (local.get $width)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $row))))

  ;; The tensor: n grey bytes at $src → n f32 at $dst, v / 255 (one correctly rounded f32 division: the same float as
  ;; pp-1's double division stored into a Float32Array; tests compare all 256).
  (func (export "tensor") (param $src i32) (param $n i32) (param $dst i32)
    (local $i i32) (local $v v128) (local $lo v128) (local $hi v128) (local $blocks i32)
    (local.set $blocks (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $blocks)))
        (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $lo (i16x8.extend_low_i8x16_u (local.get $v)))
        (local.set $hi (i16x8.extend_high_i8x16_u (local.get $v)))
        (call $tensor4 (i32x4.extend_low_i16x8_u (local.get $lo)) (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
        (call $tensor4 (i32x4.extend_high_i16x8_u (local.get $lo)) (i32.add (local.get $dst) (i32.shl (i32.add (local.get $i) (i32.const 4)) (i32.const 2))))
        (call $tensor4 (i32x4.extend_low_i16x8_u (local.get $hi)) (i32.add (local.get $dst) (i32.shl (i32.add (local.get $i) (i32.const 8)) (i32.const 2))))
        (call $tensor4 (i32x4.extend_high_i16x8_u (local.get $hi)) (i32.add (local.get $dst) (i32.shl (i32.add (local.get $i) (i32.const 12)) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
          (f32.div (f32.convert_i32_u (i32.load8_u (i32.add (local.get $src) (local.get $i)))) (f32.const 255)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  (func $tensor4 (param $v v128) (param $at i32)
    (v128.store (local.get $at) (f32x4.div (f32x4.convert_i32x4_u (local.get $v)) (v128.const f32x4 255 255 255 255))))
  )
