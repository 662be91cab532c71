// The WASM SIMD kernels as hand-written WebAssembly text, compiled with wabt (wat-compile.ts): by
// the build into dist/ (no committed binaries), or at load time when running the sources.
// Formulas: layout.ts. Every SIMD loop does 16 bytes per step in two u16×8 halves (all
// intermediates fit in 16 unsigned bits) and finishes the last length % 16 bytes with a scalar
// loop of the same formula.
//
// Exports (all pointers are byte offsets into the imported memory "env" "memory"):
//   crossfade(out, a, b, n, w)             out[i] = (a[i]·(256−w) + b[i]·w + 128) >> 8
//   lerpconst(out, src, n, w, k)           out[i] = (src[i]·(256−w) + k·w + 128) >> 8
//   blend(dst, ds, src, alpha, ss, w, h, op)
//       for each of h rows (dst stride ds, src and alpha stride ss), w pixels:
//       t = (alpha·op + 128) >> 8; α = t + (t >> 7); dst = (dst·(256−α) + src·α + 128) >> 8
//   fill(ptr, value, n)                    memory.fill
//   copy(dst, src, n)                      memory.copy

/** The u16×8 value of (x·wa + y·wb + r) >> 8 for one half ('low' or 'high') of two byte vectors. */
function mixHalf(half: 'low' | 'high', x: string, wa: string, y: string, wb: string, r: string): string {
  return `(i16x8.shr_u
            (i16x8.add
              (i16x8.add
                (i16x8.mul (i16x8.extend_${half}_i8x16_u ${x}) ${wa})
                (i16x8.mul (i16x8.extend_${half}_i8x16_u ${y}) ${wb}))
              ${r})
            (i32.const 8))`;
}

/** The u16×8 alpha weight α (0…256) of one half of an alpha byte vector at opacity $opv. */
function alphaHalf(half: 'low' | 'high'): string {
  return `(local.set $t
            (i16x8.shr_u
              (i16x8.add (i16x8.mul (i16x8.extend_${half}_i8x16_u (local.get $va)) (local.get $opv))
                         (local.get $r))
              (i32.const 8)))
          (local.set $al_${half} (i16x8.add (local.get $t) (i16x8.shr_u (local.get $t) (i32.const 7))))`;
}

export const KERNELS_WAT = `
(module
  (import "env" "memory" (memory 1))

  (func (export "crossfade")
    (param $out i32) (param $a i32) (param $b i32) (param $n i32) (param $w i32)
    (local $i i32) (local $end i32) (local $iw i32)
    (local $wa v128) (local $wb v128) (local $r v128) (local $va v128) (local $vb v128)
    (local.set $iw (i32.sub (i32.const 256) (local.get $w)))
    (local.set $wa (i16x8.splat (local.get $iw)))
    (local.set $wb (i16x8.splat (local.get $w)))
    (local.set $r (i16x8.splat (i32.const 128)))
    (local.set $end (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $va (v128.load (i32.add (local.get $a) (local.get $i))))
        (local.set $vb (v128.load (i32.add (local.get $b) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (i8x16.narrow_i16x8_u
            ${mixHalf('low', '(local.get $va)', '(local.get $wa)', '(local.get $vb)', '(local.get $wb)', '(local.get $r)')}
            ${mixHalf('high', '(local.get $va)', '(local.get $wa)', '(local.get $vb)', '(local.get $wb)', '(local.get $r)')}))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $out) (local.get $i))
          (i32.shr_u
            (i32.add
              (i32.add
                (i32.mul (i32.load8_u (i32.add (local.get $a) (local.get $i))) (local.get $iw))
                (i32.mul (i32.load8_u (i32.add (local.get $b) (local.get $i))) (local.get $w)))
              (i32.const 128))
            (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $t))))

  (func (export "lerpconst")
    (param $out i32) (param $src i32) (param $n i32) (param $w i32) (param $k i32)
    (local $i i32) (local $end i32) (local $iw i32) (local $c i32)
    (local $ws v128) (local $cv v128) (local $vs v128)
    (local.set $iw (i32.sub (i32.const 256) (local.get $w)))
    (local.set $c (i32.add (i32.mul (local.get $k) (local.get $w)) (i32.const 128)))
    (local.set $ws (i16x8.splat (local.get $iw)))
    (local.set $cv (i16x8.splat (local.get $c)))
    (local.set $end (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $vs (v128.load (i32.add (local.get $src) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (i8x16.narrow_i16x8_u
            (i16x8.shr_u
              (i16x8.add (i16x8.mul (i16x8.extend_low_i8x16_u (local.get $vs)) (local.get $ws)) (local.get $cv))
              (i32.const 8))
            (i16x8.shr_u
              (i16x8.add (i16x8.mul (i16x8.extend_high_i8x16_u (local.get $vs)) (local.get $ws)) (local.get $cv))
              (i32.const 8))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l)))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $out) (local.get $i))
          (i32.shr_u
            (i32.add
              (i32.mul (i32.load8_u (i32.add (local.get $src) (local.get $i))) (local.get $iw))
              (local.get $c))
            (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $t))))

  (func (export "blend")
    (param $dst i32) (param $ds i32) (param $src i32) (param $alpha i32) (param $ss i32)
    (param $w i32) (param $h i32) (param $op i32)
    (local $row i32) (local $i i32) (local $end i32)
    (local $d i32) (local $ta i32) (local $al i32)
    (local $opv v128) (local $r v128) (local $c256 v128)
    (local $vd v128) (local $vs v128) (local $va v128) (local $t v128)
    (local $al_low v128) (local $al_high v128)
    (local.set $opv (i16x8.splat (local.get $op)))
    (local.set $r (i16x8.splat (i32.const 128)))
    (local.set $c256 (i16x8.splat (i32.const 256)))
    (local.set $end (i32.and (local.get $w) (i32.const -16)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $h)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
            (local.set $d (i32.add (local.get $dst) (local.get $i)))
            (local.set $vd (v128.load (local.get $d)))
            (local.set $vs (v128.load (i32.add (local.get $src) (local.get $i))))
            (local.set $va (v128.load (i32.add (local.get $alpha) (local.get $i))))
            ${alphaHalf('low')}
            ${alphaHalf('high')}
            (v128.store (local.get $d)
              (i8x16.narrow_i16x8_u
                ${mixHalf('low', '(local.get $vd)', '(i16x8.sub (local.get $c256) (local.get $al_low))', '(local.get $vs)', '(local.get $al_low)', '(local.get $r)')}
                ${mixHalf('high', '(local.get $vd)', '(i16x8.sub (local.get $c256) (local.get $al_high))', '(local.get $vs)', '(local.get $al_high)', '(local.get $r)')}))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $l)))
        (block $tdone
          (loop $tl
            (br_if $tdone (i32.ge_u (local.get $i) (local.get $w)))
            (local.set $ta
              (i32.shr_u
                (i32.add
                  (i32.mul (i32.load8_u (i32.add (local.get $alpha) (local.get $i))) (local.get $op))
                  (i32.const 128))
                (i32.const 8)))
            (local.set $al (i32.add (local.get $ta) (i32.shr_u (local.get $ta) (i32.const 7))))
            (local.set $d (i32.add (local.get $dst) (local.get $i)))
            (i32.store8 (local.get $d)
              (i32.shr_u
                (i32.add
                  (i32.add
                    (i32.mul (i32.load8_u (local.get $d)) (i32.sub (i32.const 256) (local.get $al)))
                    (i32.mul (i32.load8_u (i32.add (local.get $src) (local.get $i))) (local.get $al)))
                  (i32.const 128))
                (i32.const 8)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $tl)))
        (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
        (local.set $src (i32.add (local.get $src) (local.get $ss)))
        (local.set $alpha (i32.add (local.get $alpha) (local.get $ss)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))

  (func (export "fill") (param $ptr i32) (param $value i32) (param $n i32)
    (memory.fill (local.get $ptr) (local.get $value) (local.get $n)))

  (func (export "copy") (param $dst i32) (param $src i32) (param $n i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $n)))
)
`;
