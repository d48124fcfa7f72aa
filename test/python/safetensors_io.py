"""Pure-NumPy reader and writer of the safetensors format.

Independent of the `safetensors` package, so that tests can build weight
files (and malformed ones) without it.  The format:

    8 bytes    little-endian u64 N, the header's length
    N bytes    UTF-8 JSON: {"name": {"dtype": "F32", "shape": [...],
               "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
    the rest   the data; offsets are relative to its start

Our writer pads the header with spaces so that N is a multiple of 8, stores
tensors back to back (no holes; largest element size first, then by name,
as the reference writer does, so every tensor is aligned to its element
size) and writes all data little-endian.

BF16 has no NumPy dtype.  To write a tensor as BF16, pass `(array, "BF16")`
as its value (or name it in `dtypes=`): the array is converted to float32
and each value rounded to nearest-even to its top 16 bits.  BF16 tensors
are read back as float32 (exactly: every bfloat16 is a float32).  Any value
may be given as `(array, "DTYPE")` to convert it to that dtype on writing.
"""

import json
import struct

import numpy as np

# safetensors dtype name -> little-endian NumPy dtype (BF16 is special).
_NUMPY = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_ITEMSIZE = {name: dt.itemsize for name, dt in _NUMPY.items()}
_ITEMSIZE["BF16"] = 2

DTYPES = tuple(sorted(_ITEMSIZE))


def _dtype_name(array):
    dt = array.dtype
    if dt.name == "bfloat16":          # ml_dtypes.bfloat16, if someone has it
        return "BF16"
    for name, npdt in _NUMPY.items():
        if dt.kind == npdt.kind and dt.itemsize == npdt.itemsize:
            return name
    raise TypeError(f"no safetensors dtype for numpy dtype {dt}")


def float32_to_bf16_bits(x):
    """float32 values -> uint16 bfloat16 bit patterns, round to nearest even.

    NaNs stay NaNs (quiet, sign kept); overflow rounds to +-inf."""
    bits = np.ascontiguousarray(np.asarray(x, dtype=np.float32)).view(np.uint32)
    bits = bits.astype(np.uint64)          # room for the carry
    lsb = (bits >> 16) & 1
    rounded = ((bits + 0x7FFF + lsb) >> 16).astype(np.uint16)
    nan = np.isnan(np.asarray(x, dtype=np.float32))
    if nan.any():
        sign = ((bits >> 16) & 0x8000).astype(np.uint16)
        rounded = np.where(nan, sign | np.uint16(0x7FC0), rounded).astype(np.uint16)
    return rounded


def bf16_bits_to_float32(bits):
    """uint16 bfloat16 bit patterns -> float32 (exact)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def round_to_bf16(x):
    """float32 values rounded (nearest even) to bfloat16, as float32."""
    return bf16_bits_to_float32(float32_to_bf16_bits(x)).reshape(np.shape(x))


def _encode(value, forced=None):
    """-> (dtype name, shape, little-endian bytes)."""
    if isinstance(value, tuple):
        if forced is not None:
            raise ValueError("dtype given twice")
        value, forced = value
    array = np.asarray(value)
    name = forced.upper() if forced is not None else _dtype_name(array)
    if name not in _ITEMSIZE:
        raise ValueError(f"unsupported safetensors dtype {name!r}")
    shape = list(array.shape)
    if name == "BF16":
        if array.dtype.name == "bfloat16":
            data = np.ascontiguousarray(array).view(np.uint16).astype("<u2")
        else:
            data = float32_to_bf16_bits(array.astype(np.float32)).astype("<u2")
    else:
        data = np.ascontiguousarray(array.astype(_NUMPY[name], copy=False))
    return name, shape, data.tobytes()


def safetensors_bytes(tensors, metadata=None, dtypes=None):
    """The bytes of a safetensors file holding `tensors` (name -> array or
    (array, "DTYPE")).  `metadata`: str -> str.  `dtypes`: name -> dtype
    name to convert to (e.g. {"embed.weight": "BF16"})."""
    dtypes = dtypes or {}
    encoded = {}
    for tname, value in tensors.items():
        if not isinstance(tname, str) or tname == "__metadata__":
            raise ValueError(f"bad tensor name {tname!r}")
        encoded[tname] = _encode(value, dtypes.get(tname))
    order = sorted(encoded, key=lambda n: (-_ITEMSIZE[encoded[n][0]], n))
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise ValueError("metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    offset = 0
    for tname in order:
        dname, shape, data = encoded[tname]
        header[tname] = {"dtype": dname, "shape": shape,
                         "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    return b"".join([struct.pack("<Q", len(text)), text]
                    + [encoded[n][2] for n in order])


def write_safetensors(path, tensors, metadata=None, dtypes=None):
    """Write `tensors` to `path` (see safetensors_bytes)."""
    data = safetensors_bytes(tensors, metadata, dtypes)
    with open(path, "wb") as f:
        f.write(data)


def parse_safetensors(data):
    """bytes -> (tensors, dtypes, metadata): tensors as NumPy arrays (BF16 as
    float32), dtypes the stored dtype names.  Raises ValueError on a
    malformed file."""
    data = bytes(data)
    if len(data) < 8:
        raise ValueError("file shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"header length {n} past the end of the file")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    body = data[8 + n:]
    metadata = header.pop("__metadata__", None)
    tensors, dtypes = {}, {}
    for tname, info in header.items():
        try:
            dname = info["dtype"]
            shape = [int(s) for s in info["shape"]]
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"tensor {tname!r}: bad header entry {info!r}") from None
        if dname not in _ITEMSIZE:
            raise ValueError(f"tensor {tname!r}: unsupported dtype {dname!r}")
        if any(s < 0 for s in shape):
            raise ValueError(f"tensor {tname!r}: negative dimension")
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= begin <= end <= len(body):
            raise ValueError(f"tensor {tname!r}: offsets {begin}..{end} outside "
                             f"the {len(body)}-byte data section")
        if end - begin != count * _ITEMSIZE[dname]:
            raise ValueError(f"tensor {tname!r}: {end - begin} bytes for "
                             f"{count} {dname} elements")
        raw = body[begin:end]
        if dname == "BF16":
            array = bf16_bits_to_float32(np.frombuffer(raw, dtype="<u2"))
        else:
            array = np.frombuffer(raw, dtype=_NUMPY[dname]).copy()
        tensors[tname] = array.reshape(shape)
        dtypes[tname] = dname
    return tensors, dtypes, metadata


def read_safetensors(path, with_metadata=False):
    """path -> {name: np.ndarray} (BF16 read as float32); with
    with_metadata, (tensors, dtypes, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    tensors, dtypes, metadata = parse_safetensors(data)
    if with_metadata:
        return tensors, dtypes, metadata
    return tensors
