//! Local IAM policy evaluator (verify generated policies, check against a live role).
