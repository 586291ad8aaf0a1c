"""Small AWS programs in JavaScript, TypeScript and Go that the CLI and MCP
language suites both analyse, so both views are held to the same sources."""

import textwrap

REPORTS_TS = textwrap.dedent(
    """\
    import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";

    const s3 = new S3Client({});

    export async function get(key: string) {
      return s3.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
    }
    """
)

QUEUE_JS = textwrap.dedent(
    """\
    const AWS = require("aws-sdk");

    function ping() {
      return new AWS.SQS().sendMessage({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody: "x" }).promise();
    }

    module.exports = { ping };
    """
)

ALERT_GO = textwrap.dedent(
    """\
    package notify

    import (
    \t"context"

    \t"github.com/aws/aws-sdk-go-v2/aws"
    \t"github.com/aws/aws-sdk-go-v2/config"
    \t"github.com/aws/aws-sdk-go-v2/service/sns"
    )

    func Alert(ctx context.Context, msg string) error {
    \tcfg, err := config.LoadDefaultConfig(ctx)
    \tif err != nil {
    \t\treturn err
    \t}
    \tclient := sns.NewFromConfig(cfg)
    \t_, err = client.Publish(ctx, &sns.PublishInput{
    \t\tTopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:alerts"),
    \t\tMessage:  aws.String(msg),
    \t})
    \treturn err
    }
    """
)
