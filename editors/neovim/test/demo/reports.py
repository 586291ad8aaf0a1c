import boto3

s3 = boto3.client("s3")
queue = boto3.client("sqs")
table = boto3.resource("dynamodb").Table("orders")


def load_report(key):
    return s3.get_object(Bucket="reports", Key=key)["Body"].read()


def publish(path, key):
    s3.upload_file(path, "reports", key)
    queue.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody=key)


def record(order_id, status):
    table.update_item(Key={"id": order_id}, UpdateExpression="SET #s = :s",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": status})
