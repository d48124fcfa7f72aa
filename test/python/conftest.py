import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

# The seqc Python package as built (python-bindings/ -> build/python).
_build = os.environ.get("SEQC_BUILD_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "build"))
sys.path.insert(0, os.path.join(_build, "python"))
