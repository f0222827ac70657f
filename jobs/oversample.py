"""spark-submit entry script: ``spark-submit jobs/oversample.py --input ... --output ...``.

It only calls the library; the same job is the console command ``spark-smote``.
"""

import sys

from spark_smote.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
