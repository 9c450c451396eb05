SELECT * FROM outbox_jobs WHERE id = @id
