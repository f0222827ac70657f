"""Under-samplers: random under-sampling; the cleaning samplers (Tomek links, Edited Nearest
Neighbours, repeated editing, the Neighbourhood Cleaning Rule) on the cross-class mode of the
cell engine; NearMiss, Condensed Nearest Neighbour and One-Sided Selection on the
minority's cells; ClusterCentroids in each class's cells; the instance hardness threshold."""

from spark_smote.under_sampling.base import BaseCleaningSampler
from spark_smote.under_sampling.cluster_centroids import ClusterCentroids
from spark_smote.under_sampling.condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
    OneSidedSelection,
)
from spark_smote.under_sampling.edited_nearest_neighbours import EditedNearestNeighbours
from spark_smote.under_sampling.instance_hardness_threshold import InstanceHardnessThreshold
from spark_smote.under_sampling.near_miss import NearMiss
from spark_smote.under_sampling.neighbourhood_cleaning_rule import NeighbourhoodCleaningRule
from spark_smote.under_sampling.random_under_sampler import RandomUnderSampler
from spark_smote.under_sampling.repeated_editing import AllKNN, RepeatedEditedNearestNeighbours
from spark_smote.under_sampling.tomek_links import TomekLinks

__all__ = [
    "AllKNN",
    "BaseCleaningSampler",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
