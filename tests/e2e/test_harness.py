"""The harness itself: the binary runs and moto answers, so a broken fixture fails loudly."""
import subprocess


def test_binary_reports_version(iamlens_bin):
    out = subprocess.run([iamlens_bin, "version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("iamlens ")


def test_moto_serves_sts(moto_endpoint):
    import boto3

    sts = boto3.client("sts", endpoint_url=moto_endpoint, region_name="us-east-1")
    assert sts.get_caller_identity()["Account"] == "123456789012"
