// The references in docs/ are generated from ODS; a stale copy fails here.
// Refresh with: ninja -C build seqc-doc
// RUN: diff %seqc_obj_root/docs/Dialects/SeqDialect.md %seqc_src_root/docs/Dialects/SeqDialect.md
// RUN: diff %seqc_obj_root/docs/SeqConversionPasses.md %seqc_src_root/docs/Passes/SeqConversionPasses.md
// RUN: diff %seqc_obj_root/docs/SeqTransformsPasses.md %seqc_src_root/docs/Passes/SeqTransformsPasses.md
