"""Under-samplers: random under-sampling (the cleaning samplers come next)."""

from spark_smote.under_sampling.random_under_sampler import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
