"""How sensitive the random-init ~100M Mamba of bench/model_throughput.py
is to small weight changes, in PyTorch alone (no seqc): the logits after
quantizing one kind of projection to int8 per channel, and after 0.1%
random noise on in_proj, against the fp32 logits (max |difference| over
the logit scale, and top-1 agreement). docs/quantization.md quotes it to
explain why quantization accuracy is measured on a trained Mamba.

    python3 bench/mamba_sensitivity.py      # ~1 min
"""

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import MambaForCausalLM  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "python"))
from model_throughput import mamba  # noqa: E402
from quantization_reference import quantize  # noqa: E402


def compare(reference, logits):
    a = reference.reshape(-1, reference.shape[-1])
    b = logits.reshape(-1, logits.shape[-1])
    return (float(np.abs(logits - reference).max() / np.abs(reference).max()),
            float((a.argmax(-1) == b.argmax(-1)).mean()))


def main():
    torch.manual_seed(0)
    model = MambaForCausalLM(mamba(False)).eval()
    tokens = torch.from_numpy(np.random.default_rng(7).integers(0, 16000, (2, 32)))
    original = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        reference = model(tokens).logits.numpy()
        for part in ["in_proj", "x_proj", "dt_proj", "out_proj"]:
            model.load_state_dict(original)
            for name, v in model.state_dict().items():
                if name.endswith(part + ".weight"):
                    v.copy_(torch.from_numpy(quantize(v.numpy(), 8, v.shape[1])[2]))
            print("int8 %-8s: max |diff| %.3f of the logit scale, top-1 %.1f%%"
                  % ((part,) + tuple(x * f for x, f in
                                     zip(compare(reference, model(tokens).logits.numpy()),
                                         (1, 100)))))
        model.load_state_dict(original)
        generator = torch.Generator().manual_seed(1)
        for name, v in model.state_dict().items():
            if name.endswith("in_proj.weight"):
                v.mul_(1 + 1e-3 * torch.randn(v.shape, generator=generator))
        print("in_proj * (1 + 0.1%% noise): max |diff| %.3f, top-1 %.1f%%"
              % tuple(x * f for x, f in
                      zip(compare(reference, model(tokens).logits.numpy()), (1, 100))))


if __name__ == "__main__":
    main()
