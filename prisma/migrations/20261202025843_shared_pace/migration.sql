-- CreateTable
CREATE TABLE "PaceBucket" (
    "key" TEXT NOT NULL,
    "tat" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "pausedUntil" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaceBucket_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "PaceBucket_updatedAt_idx" ON "PaceBucket"("updatedAt");

-- One reservation on the shared pace (see src/core/delivery/shared-pace.ts). Locks the chat's
-- bucket (when there is one) and then the channel's, always in that order, so concurrent
-- callers never deadlock. Nothing is reserved when the chat is not ready yet or when the slot
-- would start more than p_max_wait ms from now: the caller waits or puts the message back.
-- Times are the database server's clock, so instances with skewed clocks still share one pace.
CREATE FUNCTION pace_reserve(p_channel TEXT, p_chat TEXT, p_cost INTEGER, p_interval DOUBLE PRECISION,
                             p_tolerance DOUBLE PRECISION, p_chat_interval DOUBLE PRECISION, p_max_wait DOUBLE PRECISION)
RETURNS TABLE (wait_ms DOUBLE PRECISION, chat_wait_ms DOUBLE PRECISION, paused_ms DOUBLE PRECISION)
LANGUAGE plpgsql AS $pace$
DECLARE
  now_ms DOUBLE PRECISION := extract(epoch FROM clock_timestamp()) * 1000;
  chat_key TEXT := CASE WHEN p_chat IS NOT NULL AND p_chat_interval IS NOT NULL THEN p_channel || '#' || p_chat END;
  chat_tat DOUBLE PRECISION;
  o_tat DOUBLE PRECISION;
  o_paused DOUBLE PRECISION;
  start_at DOUBLE PRECISION;
BEGIN
  IF chat_key IS NOT NULL THEN
    INSERT INTO "PaceBucket" (key) VALUES (chat_key) ON CONFLICT (key) DO NOTHING;
    SELECT b.tat INTO chat_tat FROM "PaceBucket" b WHERE b.key = chat_key FOR UPDATE;
    IF chat_tat > now_ms THEN
      RETURN QUERY SELECT NULL::DOUBLE PRECISION, chat_tat - now_ms, 0::DOUBLE PRECISION;
      RETURN;
    END IF;
  END IF;
  INSERT INTO "PaceBucket" (key) VALUES (p_channel) ON CONFLICT (key) DO NOTHING;
  SELECT b.tat, b."pausedUntil" INTO o_tat, o_paused FROM "PaceBucket" b WHERE b.key = p_channel FOR UPDATE;
  start_at := GREATEST(now_ms, o_paused, o_tat - p_tolerance);
  IF start_at - now_ms > p_max_wait THEN
    RETURN QUERY SELECT start_at - now_ms, 0::DOUBLE PRECISION, GREATEST(o_paused - now_ms, 0);
    RETURN;
  END IF;
  UPDATE "PaceBucket" SET tat = GREATEST(o_tat, start_at) + p_cost * p_interval, "updatedAt" = now() WHERE key = p_channel;
  IF chat_key IS NOT NULL THEN
    UPDATE "PaceBucket" SET tat = start_at + p_cost * p_chat_interval, "updatedAt" = now() WHERE key = chat_key;
  END IF;
  RETURN QUERY SELECT start_at - now_ms, 0::DOUBLE PRECISION, GREATEST(o_paused - now_ms, 0);
END
$pace$;

-- A 429 from the platform: no reservation on the channel starts before now + p_ms.
CREATE FUNCTION pace_pause(p_channel TEXT, p_ms DOUBLE PRECISION, p_tolerance DOUBLE PRECISION)
RETURNS DOUBLE PRECISION
LANGUAGE plpgsql AS $pace$
DECLARE
  until_ms DOUBLE PRECISION := extract(epoch FROM clock_timestamp()) * 1000 + GREATEST(p_ms, 0);
BEGIN
  INSERT INTO "PaceBucket" (key) VALUES (p_channel) ON CONFLICT (key) DO NOTHING;
  UPDATE "PaceBucket" SET "pausedUntil" = GREATEST("pausedUntil", until_ms),
                          tat = GREATEST(tat, until_ms + p_tolerance), "updatedAt" = now()
  WHERE key = p_channel;
  RETURN until_ms;
END
$pace$;
