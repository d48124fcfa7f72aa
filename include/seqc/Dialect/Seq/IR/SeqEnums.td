//===- SeqEnums.td - enumerations of the seq dialect -------*- tablegen -*-===//

#ifndef SEQC_DIALECT_SEQ_IR_SEQENUMS_TD
#define SEQC_DIALECT_SEQ_IR_SEQENUMS_TD

include "mlir/IR/EnumAttr.td"

def Seq_CellLSTM : I32EnumAttrCase<"lstm", 0>;
def Seq_CellGRU : I32EnumAttrCase<"gru", 1>;
def Seq_CellSLSTM : I32EnumAttrCase<"slstm", 2>;
def Seq_CellElman : I32EnumAttrCase<"elman", 3>;

def Seq_CellKindAttr : I32EnumAttr<"CellKind",
    "named recurrent cell of seq.recurrence",
    [Seq_CellLSTM, Seq_CellGRU, Seq_CellSLSTM, Seq_CellElman]> {
  let cppNamespace = "::mlir::seq";
}

def Seq_ActNone : I32EnumAttrCase<"none", 0>;
def Seq_ActSilu : I32EnumAttrCase<"silu", 1>;
def Seq_ActRelu : I32EnumAttrCase<"relu", 2>;
def Seq_ActGelu : I32EnumAttrCase<"gelu", 3>;
def Seq_ActTanh : I32EnumAttrCase<"tanh", 4>;

def Seq_ActivationAttr : I32EnumAttr<"Activation",
    "elementwise activation fused into seq.conv1d",
    [Seq_ActNone, Seq_ActSilu, Seq_ActRelu, Seq_ActGelu, Seq_ActTanh]> {
  let cppNamespace = "::mlir::seq";
}

#endif // SEQC_DIALECT_SEQ_IR_SEQENUMS_TD
