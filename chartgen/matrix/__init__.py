"""The lint matrix: scenarios, generated tiers and the Kubernetes versions they run against."""
