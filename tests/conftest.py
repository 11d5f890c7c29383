import sys
from pathlib import Path

# Test helpers (loop references, finite differences) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
