#!/usr/bin/env python3
"""Generate N realistic boto3 modules for the analysis benchmark.

Each module is a mix of the shapes real code has: a Lambda handler, a worker
loop, a repository class, helper functions, module constants, f-strings,
paginators, the resources API, and plenty of code that is not AWS at all.
Deterministic for a given N and seed, so runs are comparable.

    tests/bench/gen_corpus.py OUT_DIR N [--seed 7]
"""
import argparse
import random
import textwrap
from pathlib import Path

SERVICES = ["s3", "dynamodb", "sqs", "sns", "secretsmanager", "ssm", "lambda", "kinesis", "stepfunctions", "events"]


def handler_block(r: random.Random, i: int) -> str:
    bucket = f"acme-data-{r.randint(1, 40)}"
    table = f"Table{r.randint(1, 30)}"
    return textwrap.dedent(f'''
    BUCKET_{i} = "{bucket}"
    TABLE_{i} = "{table}"


    def handler_{i}(event, context):
        """Lambda entry point {i}."""
        records = event.get("Records", [])
        out = []
        for record in records:
            key = record["s3"]["object"]["key"]
            body = s3.get_object(Bucket=BUCKET_{i}, Key=f"incoming/{{key}}")["Body"].read()
            parsed = parse_{i}(body)
            ddb.put_item(TableName=TABLE_{i}, Item={{"pk": {{"S": key}}, "size": {{"N": str(len(body))}}}})
            out.append(parsed)
        return {{"count": len(out)}}


    def parse_{i}(body: bytes) -> dict:
        text = body.decode("utf-8", errors="replace")
        fields = [line.split(",") for line in text.splitlines() if line]
        return {{"rows": len(fields), "cols": max((len(f) for f in fields), default=0)}}
    ''')


def worker_block(r: random.Random, i: int) -> str:
    queue = f"jobs-{r.randint(1, 20)}"
    return textwrap.dedent(f'''
    QUEUE_URL_{i} = "https://sqs.us-east-1.amazonaws.com/123456789012/{queue}"


    def work_{i}(max_rounds: int = 3) -> int:
        handled = 0
        for _ in range(max_rounds):
            resp = sqs.receive_message(QueueUrl=QUEUE_URL_{i}, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in resp.get("Messages", []):
                handled += 1
                sqs.delete_message(QueueUrl=QUEUE_URL_{i}, ReceiptHandle=message["ReceiptHandle"])
        return handled
    ''')


def class_block(r: random.Random, i: int) -> str:
    topic = f"arn:aws:sns:us-east-1:123456789012:events-{r.randint(1, 10)}"
    return textwrap.dedent(f'''
    class Service{i}:
        TOPIC = "{topic}"

        def __init__(self, region: str = "us-east-1"):
            self.sns = boto3.client("sns", region_name=region)
            self.secrets = boto3.client("secretsmanager", region_name=region)
            self.cache = {{}}

        def notify(self, subject: str, message: str) -> str:
            return self.sns.publish(TopicArn=self.TOPIC, Subject=subject, Message=message)["MessageId"]

        def secret(self, name: str) -> str:
            if name not in self.cache:
                self.cache[name] = self.secrets.get_secret_value(SecretId=f"app/{{name}}")["SecretString"]
            return self.cache[name]

        def describe(self) -> str:
            return ", ".join(sorted(self.cache))
    ''')


def paginator_block(r: random.Random, i: int) -> str:
    return textwrap.dedent(f'''
    def inventory_{i}(prefix: str) -> int:
        total = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="acme-archive-{r.randint(1, 9)}", Prefix=prefix):
            total += sum(o["Size"] for o in page.get("Contents", []))
        return total
    ''')


def resource_block(r: random.Random, i: int) -> str:
    return textwrap.dedent(f'''
    def load_products_{i}(rows: list) -> None:
        table = boto3.resource("dynamodb").Table("Products{r.randint(1, 5)}")
        with table.batch_writer() as batch:
            for row in rows:
                batch.put_item(Item=row)
    ''')


def plain_block(r: random.Random, i: int) -> str:
    n = r.randint(3, 9)
    return textwrap.dedent(f'''
    def compute_{i}(values: list) -> float:
        """Plain Python: statistics over {n} buckets."""
        buckets = [0.0] * {n}
        for index, value in enumerate(values):
            buckets[index % {n}] += float(value)
        mean = sum(buckets) / {n}
        variance = sum((b - mean) ** 2 for b in buckets) / {n}
        return variance ** 0.5


    class Accumulator{i}:
        def __init__(self):
            self.items = []

        def add(self, item):
            self.items.append(item)
            return len(self.items)

        def publish(self, Message=None):
            return [Message, *self.items]
    ''')


BLOCKS = [handler_block, worker_block, class_block, paginator_block, resource_block, plain_block]


def module(r: random.Random, index: int) -> str:
    header = textwrap.dedent(f'''
    """Generated benchmark module {index}."""
    import json
    import os

    import boto3

    s3 = boto3.client("s3")
    ddb = boto3.client("dynamodb")
    sqs = boto3.client("sqs")
    ''')
    parts = [header]
    for i in range(r.randint(4, 8)):
        parts.append(r.choice(BLOCKS)(r, i))
    return "\n".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    r = random.Random(args.seed)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for old in args.out_dir.glob("module_*.py"):
        old.unlink()
    for n in range(args.count):
        (args.out_dir / f"module_{n:04d}.py").write_text(module(r, n))


if __name__ == "__main__":
    main()
