"""spark-submit entry script: ``spark-submit jobs/train_ensemble.py --input ... --model ...``.

It only calls the library; the same job is the console command ``spark-smote-train``.
"""

import sys

from spark_smote.app.train import main

if __name__ == "__main__":
    sys.exit(main())
