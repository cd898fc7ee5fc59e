#pragma once

// Cluster labels in text: messages and pages name a temporal cluster by its label
// (TemporalCluster::label, "{a, b, c, +2 more}"), never by its long id.

#include <string>

#include "analysis/temporal_cluster_analysis.h"

namespace calm {

/// `text` (e.g. a point of order's reason, "leaves temporal cluster cluster:a,b,c,d,e")
/// with every cluster id replaced by that cluster's label ("{a, b, c, +2 more}").
std::string with_cluster_labels(const TemporalClusterAnalysis& clusters, std::string text);

}  // namespace calm
