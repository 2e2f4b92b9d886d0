-- The delivery payloads are stored whole and never searched: no planner statistics for them.
-- ANALYZE of the inbox (the embedded database's maintenance runs it while chats wait) spent half
-- its time computing statistics of the jsonb payloads; without them it takes half as long.
ALTER TABLE "InboundUpdate" ALTER COLUMN "payload" SET STATISTICS 0;
