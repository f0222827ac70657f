"""A params writer whose ``overwrite()`` also works over Spark Connect.

pyspark's ``DefaultParamsWriter`` removes an existing path through ``_jsparkSession``, which a
Spark Connect session does not have. Over Connect the removal goes through the ML helper object
of the Connect server instead, as pyspark's own Connect ML code does.
"""

from __future__ import annotations

from pyspark.ml.util import DefaultParamsWriter
from pyspark.ml.wrapper import JavaWrapper
from pyspark.sql import is_remote


class ParamsWriter(DefaultParamsWriter):
    """``DefaultParamsWriter`` with an ``overwrite()`` that works in classic and Connect mode."""

    def _handleOverwrite(self, path: str) -> None:
        if is_remote():
            from pyspark.ml.util import ML_CONNECT_HELPER_ID

            JavaWrapper(java_obj=ML_CONNECT_HELPER_ID)._call_java("handleOverwrite", path, True)
        else:
            super()._handleOverwrite(path)
