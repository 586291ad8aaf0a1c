#!/usr/bin/env python3
"""Generate N realistic TypeScript, Go or Java modules for the analysis benchmark.

Each module is written the way services in that language usually are: a
handler or service class holding its clients, request objects built inline
and in variables, a paginator, module constants, and plenty of code that is
not AWS at all; 4-8 AWS calls and 110-160 lines per module. Deterministic for
a given language, N and seed.

    tests/bench/gen_corpus_langs.py {typescript|go|java} OUT_DIR N [--seed 7]
"""
import argparse
import random
from pathlib import Path


def filler_ts(r: random.Random, i: int) -> str:
    n = r.randint(3, 6)
    return "".join(
        f"""
export function transform{i}_{k}(rows: Array<Record<string, string>>): string[] {{
  const out: string[] = [];
  for (const row of rows) {{
    const keys = Object.keys(row).sort();
    const line = keys.map((key) => `${{key}}=${{row[key]}}`).join("&");
    if (line.length > {r.randint(10, 90)}) {{
      out.push(line.slice(0, {r.randint(10, 90)}));
    }} else {{
      out.push(line);
    }}
  }}
  return out;
}}
"""
        for k in range(n)
    )


def typescript(r: random.Random, i: int) -> str:
    bucket = f"acme-data-{r.randint(1, 40)}"
    table = f"Table{r.randint(1, 30)}"
    queue = f"jobs-{r.randint(1, 20)}"
    return f"""import {{ S3Client, GetObjectCommand, PutObjectCommand, paginateListObjectsV2 }} from "@aws-sdk/client-s3";
import {{ DynamoDBClient }} from "@aws-sdk/client-dynamodb";
import {{ DynamoDBDocumentClient, PutCommand, GetCommand }} from "@aws-sdk/lib-dynamodb";
import {{ SQSClient, SendMessageCommand }} from "@aws-sdk/client-sqs";

const BUCKET = "{bucket}";
const TABLE = process.env.TABLE_NAME ?? "{table}";
const s3 = new S3Client({{ region: "us-east-1" }});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({{}}));

export class Worker{i} {{
  constructor(private readonly sqs: SQSClient = new SQSClient({{}})) {{}}

  async handle(key: string): Promise<number> {{
    const object = await s3.send(new GetObjectCommand({{ Bucket: BUCKET, Key: `incoming/${{key}}` }}));
    const body = (await object.Body?.transformToString()) ?? "";
    await ddb.send(new PutCommand({{ TableName: TABLE, Item: {{ pk: key, size: body.length }} }}));
    const command = new SendMessageCommand({{
      QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/{queue}",
      MessageBody: JSON.stringify({{ key, size: body.length }}),
    }});
    await this.sqs.send(command);
    return body.length;
  }}

  async lookup(id: string) {{
    const found = await ddb.send(new GetCommand({{ TableName: TABLE, Key: {{ pk: id }} }}));
    return found.Item;
  }}
}}

export async function archive{i}(prefix: string): Promise<number> {{
  let count = 0;
  for await (const page of paginateListObjectsV2({{ client: s3 }}, {{ Bucket: BUCKET, Prefix: prefix }})) {{
    for (const item of page.Contents ?? []) {{
      await s3.send(new PutObjectCommand({{ Bucket: "{bucket}-archive", Key: `${{prefix}}/${{item.Key}}`, Body: "" }}));
      count += 1;
    }}
  }}
  return count;
}}
{filler_ts(r, i)}"""


def filler_go(r: random.Random, i: int) -> str:
    n = r.randint(3, 6)
    return "".join(
        f"""
func transform{i}_{k}(rows []map[string]string) []string {{
	out := make([]string, 0, len(rows))
	for _, row := range rows {{
		keys := make([]string, 0, len(row))
		for key := range row {{
			keys = append(keys, key)
		}}
		sort.Strings(keys)
		line := strings.Join(keys, "&")
		if len(line) > {r.randint(10, 90)} {{
			line = line[:{r.randint(5, 9)}]
		}}
		out = append(out, line)
	}}
	return out
}}
"""
        for k in range(n)
    )


def go(r: random.Random, i: int) -> str:
    bucket = f"acme-data-{r.randint(1, 40)}"
    table = f"Table{r.randint(1, 30)}"
    queue = f"jobs-{r.randint(1, 20)}"
    return f"""package worker{i}

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const bucket = "{bucket}"

type Worker struct {{
	s3  *s3.Client
	db  *dynamodb.Client
	sqs *sqs.Client
}}

func New(ctx context.Context) (*Worker, error) {{
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {{
		return nil, err
	}}
	return &Worker{{s3: s3.NewFromConfig(cfg), db: dynamodb.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}}, nil
}}

func (w *Worker) Handle(ctx context.Context, key string) error {{
	out, err := w.s3.GetObject(ctx, &s3.GetObjectInput{{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("incoming/%s", key))}})
	if err != nil {{
		return err
	}}
	defer out.Body.Close()
	_, err = w.db.PutItem(ctx, &dynamodb.PutItemInput{{
		TableName: aws.String("{table}"),
		Item:      map[string]types.AttributeValue{{"pk": &types.AttributeValueMemberS{{Value: key}}}},
	}})
	if err != nil {{
		return err
	}}
	input := &sqs.SendMessageInput{{QueueUrl: aws.String(os.Getenv("QUEUE_URL")), MessageBody: aws.String(key)}}
	_, err = w.sqs.SendMessage(ctx, input)
	return err
}}

func (w *Worker) Archive(ctx context.Context, prefix string) (int, error) {{
	count := 0
	pages := s3.NewListObjectsV2Paginator(w.s3, &s3.ListObjectsV2Input{{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}})
	for pages.HasMorePages() {{
		page, err := pages.NextPage(ctx)
		if err != nil {{
			return count, err
		}}
		for _, item := range page.Contents {{
			_, err := w.s3.DeleteObject(ctx, &s3.DeleteObjectInput{{Bucket: aws.String(bucket), Key: item.Key}})
			if err != nil {{
				return count, err
			}}
			count++
		}}
	}}
	return count, nil
}}

// queue{i} is not an AWS call: a lookalike name on a project type.
type queue{i} struct{{ items []string }}

func (q *queue{i}) SendMessage(s string) {{ q.items = append(q.items, s) }}
{filler_go(r, i)}"""


def filler_java(r: random.Random, i: int) -> str:
    n = r.randint(3, 6)
    return "".join(
        f"""
    static List<String> transform{k}(List<Map<String, String>> rows) {{
        List<String> out = new ArrayList<>();
        for (Map<String, String> row : rows) {{
            List<String> keys = new ArrayList<>(row.keySet());
            Collections.sort(keys);
            String line = String.join("&", keys);
            if (line.length() > {r.randint(10, 90)}) {{
                line = line.substring(0, {r.randint(5, 9)});
            }}
            out.add(line);
        }}
        return out;
    }}
"""
        for k in range(n)
    )


def java(r: random.Random, i: int) -> str:
    bucket = f"acme-data-{r.randint(1, 40)}"
    table = f"Table{r.randint(1, 30)}"
    queue = f"jobs-{r.randint(1, 20)}"
    return f"""package com.acme.worker{i};

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.sqs.SqsClient;

public class Worker{i} {{
    private static final String BUCKET = "{bucket}";
    private final S3Client s3;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;

    public Worker{i}() {{
        this.s3 = S3Client.builder().region(Region.US_EAST_1).build();
        this.dynamo = DynamoDbClient.create();
        this.sqs = SqsClient.builder().build();
    }}

    public int handle(String key) {{
        byte[] body = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(BUCKET).key("incoming/" + key).build()).asByteArray();
        PutItemRequest put = PutItemRequest.builder()
                .tableName("{table}")
                .item(Map.of("pk", AttributeValue.builder().s(key).build()))
                .build();
        dynamo.putItem(put);
        sqs.sendMessage(r -> r.queueUrl("https://sqs.us-east-1.amazonaws.com/123456789012/{queue}").messageBody(key));
        return body.length;
    }}

    public int archive(String prefix) {{
        int count = 0;
        var pages = s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(BUCKET).prefix(prefix).build());
        for (var item : pages.contents()) {{
            s3.putObject(r -> r.bucket(BUCKET + "-archive").key(prefix + "/" + item.key()), RequestBody.fromString(""));
            count++;
        }}
        return count;
    }}
{filler_java(r, i)}}}
"""


GENERATORS = {"typescript": (typescript, "ts"), "go": (go, "go"), "java": (java, "java")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("language", choices=sorted(GENERATORS))
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    make, ext = GENERATORS[args.language]
    r = random.Random(f"{args.seed}-{args.language}")
    for i in range(args.n):
        directory = args.out / f"pkg{i // 50}" / (f"worker{i}" if args.language == "go" else "")
        directory.mkdir(parents=True, exist_ok=True)
        name = f"Worker{i}.java" if args.language == "java" else f"worker{i}.{ext}"
        (directory / name).write_text(make(r, i))


if __name__ == "__main__":
    main()
