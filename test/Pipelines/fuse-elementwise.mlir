// The CPU's fast path fuses chains of elementwise ops into one loop nest:
// exp(x + y) * y on dynamically sized tensors is one linalg.generic (no
// intermediate tensor) at -O2; the reference lowering (-O0) keeps one op
// each. (Named ops such as linalg.broadcast stay as they are.)
// RUN: seqc %s --emit=linalg -O2 -o - | FileCheck %s --check-prefix=FAST
// RUN: seqc %s --emit=linalg -O0 -o - | FileCheck %s --check-prefix=REF

// FAST-LABEL: func.func @chain
// FAST: linalg.generic
// FAST: arith.addf
// FAST-NEXT: math.exp
// FAST-NEXT: arith.mulf
// FAST-NOT: linalg.generic
// FAST: return
// REF-LABEL: func.func @chain
// REF-COUNT-3: linalg.generic
func.func @chain(%x: tensor<?x64xf32>, %y: tensor<?x64xf32>)
    -> tensor<?x64xf32> {
  %sum = arith.addf %x, %y : tensor<?x64xf32>
  %e = math.exp %sum : tensor<?x64xf32>
  %out = arith.mulf %e, %y : tensor<?x64xf32>
  return %out : tensor<?x64xf32>
}
