-- Processes on this host that hold leases (alive or not): recover() checks each pid before releasing.
SELECT DISTINCT lease_pid AS pid FROM outbox_jobs
WHERE state = 'running' AND lease_host = @host
