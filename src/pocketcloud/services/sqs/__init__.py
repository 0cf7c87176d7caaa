"""Amazon SQS: standard and FIFO queues, durable messages, long polling, dead-letter queues."""
