//! Language front-ends: source text → SdkCalls (Python/boto3 today).
