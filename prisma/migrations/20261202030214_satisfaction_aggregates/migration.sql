-- CreateTable
CREATE TABLE "RatingDaily" (
    "unitId" INTEGER NOT NULL,
    "procedureId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "channel" "Channel" NOT NULL,
    "surveyVersionId" INTEGER NOT NULL,
    "answer" SMALLINT NOT NULL,
    "complaint" BOOLEAN NOT NULL,
    "reasons" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "RatingDaily_pkey" PRIMARY KEY ("unitId","procedureId","day","channel","surveyVersionId","answer","complaint","reasons")
);

-- CreateTable
CREATE TABLE "InvitationDaily" (
    "unitId" INTEGER NOT NULL,
    "procedureId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "channel" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "InvitationDaily_pkey" PRIMARY KEY ("unitId","procedureId","day","channel")
);

-- CreateTable
CREATE TABLE "DossierDaily" (
    "unitId" INTEGER NOT NULL,
    "procedureId" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "finished" BOOLEAN NOT NULL,
    "overdue" BOOLEAN NOT NULL,
    "dissatisfied" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "DossierDaily_pkey" PRIMARY KEY ("unitId","procedureId","day","finished","overdue","dissatisfied")
);

-- CreateIndex
CREATE INDEX "Dossier_appointmentAt_idx" ON "Dossier"("appointmentAt");

-- ---------------------------------------------------------------------------------------
-- Triggers that keep the aggregates exact (docs/satisfaction.md "Aggregates").
-- Statement-level with transition tables, so a bulk statement costs one grouped upsert; the
-- delta of a statement is (contributions of the new rows) − (contributions of the old rows),
-- which is correct whatever order the rows were changed in. Deleting a dossier subtracts
-- everything it contributed in a BEFORE ROW trigger, while its responses and invitations
-- still exist; their cascaded deletes then find no dossier and change nothing.

-- The local (Asia/Ho_Chi_Minh, UTC+7, no DST) date of a UTC timestamp(3).
CREATE FUNCTION agg_local_day(ts timestamp) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (ts + interval '7 hours')::date
$$;

CREATE FUNCTION agg_answer(o "SatisfactionLevel") RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE o WHEN 'very_satisfied' THEN 1 WHEN 'satisfied' THEN 2 WHEN 'not_satisfied' THEN 3 ELSE 0 END)::smallint
$$;

-- FINISHED_STATUSES of src/core/status.ts (a test holds the two together).
CREATE FUNCTION dossier_finished(status integer) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT status IN (3, 7, 8, 9, 10)
$$;

CREATE FUNCTION agg_rating_expected() RETURNS SETOF "RatingDaily" LANGUAGE sql STABLE AS $$
  SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
    SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, 1
    FROM "FeedbackResponse" r JOIN "Dossier" d ON d.id = r."dossierId"
  ) x(c0, c1, c2, c3, c4, c5, c6, c7, s) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
$$;

CREATE FUNCTION agg_invitation_expected() RETURNS SETOF "InvitationDaily" LANGUAGE sql STABLE AS $$
  SELECT c0, c1, c2, c3, sum(s)::int FROM (
    SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), 1
    FROM "SurveyInvitation" i JOIN "Dossier" d ON d.id = i."dossierId"
  ) x(c0, c1, c2, c3, s) GROUP BY 1, 2, 3, 4
$$;

CREATE FUNCTION agg_dossier_expected() RETURNS SETOF "DossierDaily" LANGUAGE sql STABLE AS $$
  SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
    SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        (bad."dossierId" IS NOT NULL), 1
    FROM "Dossier" d
    LEFT JOIN (SELECT DISTINCT "dossierId" FROM "FeedbackResponse" WHERE overall = 'not_satisfied' OR complaint) bad ON bad."dossierId" = d.id
  ) x(c0, c1, c2, c3, c4, c5, s) GROUP BY 1, 2, 3, 4, 5, 6
$$;

-- Recomputes every aggregate from the raw rows, with writers to the source tables held off.
CREATE FUNCTION agg_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "Dossier", "FeedbackResponse", "SurveyInvitation" IN SHARE MODE;
  DELETE FROM "RatingDaily";
  DELETE FROM "InvitationDaily";
  DELETE FROM "DossierDaily";
  INSERT INTO "RatingDaily" SELECT * FROM agg_rating_expected();
  INSERT INTO "InvitationDaily" SELECT * FROM agg_invitation_expected();
  INSERT INTO "DossierDaily" SELECT * FROM agg_dossier_expected();
END
$$;

CREATE FUNCTION agg_feedback_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RatingDaily" AS t ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons", n)
    SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, 1 FROM new_rows r JOIN "Dossier" d ON d.id = r."dossierId"
    ) x(c0, c1, c2, c3, c4, c5, c6, c7, s)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons") DO UPDATE SET n = t.n + EXCLUDED.n;
  WITH c AS (
      SELECT id, sum(nb) AS nb, sum(ob) AS ob FROM (
        SELECT "dossierId" AS id, count(*) FILTER (WHERE (n.overall = 'not_satisfied' OR n.complaint)) AS nb, 0::bigint AS ob FROM new_rows n GROUP BY 1
      ) z GROUP BY id HAVING sum(nb) <> sum(ob)
    ), f AS (
      SELECT c.id, cur.k > 0 AS now_bad, cur.k - c.nb + c.ob > 0 AS was_bad
      FROM c CROSS JOIN LATERAL (SELECT count(*) AS k FROM "FeedbackResponse" x WHERE x."dossierId" = c.id AND (x.overall = 'not_satisfied' OR x.complaint)) cur
    )
    INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.was_bad, -1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
      UNION ALL
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.now_bad, 1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_feedback_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RatingDaily" AS t ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons", n)
    SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, 1 FROM new_rows r JOIN "Dossier" d ON d.id = r."dossierId"
      UNION ALL
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, -1 FROM old_rows r JOIN "Dossier" d ON d.id = r."dossierId"
    ) x(c0, c1, c2, c3, c4, c5, c6, c7, s)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons") DO UPDATE SET n = t.n + EXCLUDED.n;
  WITH c AS (
      SELECT id, sum(nb) AS nb, sum(ob) AS ob FROM (
        SELECT "dossierId" AS id, count(*) FILTER (WHERE (n.overall = 'not_satisfied' OR n.complaint)) AS nb, 0::bigint AS ob FROM new_rows n GROUP BY 1
        UNION ALL SELECT "dossierId" AS id, 0::bigint AS nb, count(*) FILTER (WHERE (o.overall = 'not_satisfied' OR o.complaint)) AS ob FROM old_rows o GROUP BY 1
      ) z GROUP BY id HAVING sum(nb) <> sum(ob)
    ), f AS (
      SELECT c.id, cur.k > 0 AS now_bad, cur.k - c.nb + c.ob > 0 AS was_bad
      FROM c CROSS JOIN LATERAL (SELECT count(*) AS k FROM "FeedbackResponse" x WHERE x."dossierId" = c.id AND (x.overall = 'not_satisfied' OR x.complaint)) cur
    )
    INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.was_bad, -1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
      UNION ALL
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.now_bad, 1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_feedback_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RatingDaily" AS t ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons", n)
    SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, -1 FROM old_rows r JOIN "Dossier" d ON d.id = r."dossierId"
    ) x(c0, c1, c2, c3, c4, c5, c6, c7, s)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons") DO UPDATE SET n = t.n + EXCLUDED.n;
  WITH c AS (
      SELECT id, sum(nb) AS nb, sum(ob) AS ob FROM (
        SELECT "dossierId" AS id, 0::bigint AS nb, count(*) FILTER (WHERE (o.overall = 'not_satisfied' OR o.complaint)) AS ob FROM old_rows o GROUP BY 1
      ) z GROUP BY id HAVING sum(nb) <> sum(ob)
    ), f AS (
      SELECT c.id, cur.k > 0 AS now_bad, cur.k - c.nb + c.ob > 0 AS was_bad
      FROM c CROSS JOIN LATERAL (SELECT count(*) AS k FROM "FeedbackResponse" x WHERE x."dossierId" = c.id AND (x.overall = 'not_satisfied' OR x.complaint)) cur
    )
    INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.was_bad, -1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
      UNION ALL
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        f.now_bad, 1 FROM f JOIN "Dossier" d ON d.id = f.id WHERE f.now_bad <> f.was_bad
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_invitation_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "InvitationDaily" AS t ("unitId", "procedureId", "day", "channel", n)
    SELECT c0, c1, c2, c3, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), 1 FROM new_rows i JOIN "Dossier" d ON d.id = i."dossierId"
    ) x(c0, c1, c2, c3, s)
    GROUP BY 1, 2, 3, 4 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("unitId", "procedureId", "day", "channel") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_invitation_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "InvitationDaily" AS t ("unitId", "procedureId", "day", "channel", n)
    SELECT c0, c1, c2, c3, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), 1 FROM new_rows i JOIN "Dossier" d ON d.id = i."dossierId"
      UNION ALL
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), -1 FROM old_rows i JOIN "Dossier" d ON d.id = i."dossierId"
    ) x(c0, c1, c2, c3, s)
    GROUP BY 1, 2, 3, 4 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("unitId", "procedureId", "day", "channel") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_invitation_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "InvitationDaily" AS t ("unitId", "procedureId", "day", "channel", n)
    SELECT c0, c1, c2, c3, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId", agg_local_day(COALESCE(d."returnedAt", d."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), -1 FROM old_rows i JOIN "Dossier" d ON d.id = i."dossierId"
    ) x(c0, c1, c2, c3, s)
    GROUP BY 1, 2, 3, 4 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("unitId", "procedureId", "day", "channel") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_dossier_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT d."unitId", d."procedureId",
        agg_local_day(CASE WHEN dossier_finished(d.status) THEN COALESCE(d."finishedAt", d."statusAt") ELSE d."appointmentAt" END),
        dossier_finished(d.status),
        dossier_finished(d.status) AND (COALESCE(d."finishedAt", d."statusAt") > d."appointmentAt" OR d."supplementCount" > 1),
        EXISTS (SELECT 1 FROM "FeedbackResponse" x WHERE x."dossierId" = d.id AND (x.overall = 'not_satisfied' OR x.complaint)), 1 FROM new_rows d
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE FUNCTION agg_dossier_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT n."unitId", n."procedureId",
        agg_local_day(CASE WHEN dossier_finished(n.status) THEN COALESCE(n."finishedAt", n."statusAt") ELSE n."appointmentAt" END),
        dossier_finished(n.status),
        dossier_finished(n.status) AND (COALESCE(n."finishedAt", n."statusAt") > n."appointmentAt" OR n."supplementCount" > 1),
        EXISTS (SELECT 1 FROM "FeedbackResponse" x WHERE x."dossierId" = n.id AND (x.overall = 'not_satisfied' OR x.complaint)), 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o."unitId", o."procedureId", o.status, o."finishedAt", o."statusAt", o."appointmentAt", o."supplementCount") IS DISTINCT FROM (n."unitId", n."procedureId", n.status, n."finishedAt", n."statusAt", n."appointmentAt", n."supplementCount")
      UNION ALL
      SELECT o."unitId", o."procedureId",
        agg_local_day(CASE WHEN dossier_finished(o.status) THEN COALESCE(o."finishedAt", o."statusAt") ELSE o."appointmentAt" END),
        dossier_finished(o.status),
        dossier_finished(o.status) AND (COALESCE(o."finishedAt", o."statusAt") > o."appointmentAt" OR o."supplementCount" > 1),
        EXISTS (SELECT 1 FROM "FeedbackResponse" x WHERE x."dossierId" = o.id AND (x.overall = 'not_satisfied' OR x.complaint)), -1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o."unitId", o."procedureId", o.status, o."finishedAt", o."statusAt", o."appointmentAt", o."supplementCount") IS DISTINCT FROM (n."unitId", n."procedureId", n.status, n."finishedAt", n."statusAt", n."appointmentAt", n."supplementCount")
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  INSERT INTO "RatingDaily" AS t ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons", n)
    SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
      SELECT n."unitId", n."procedureId", agg_local_day(COALESCE(n."returnedAt", n."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN "FeedbackResponse" r ON r."dossierId" = n.id WHERE (o."unitId", o."procedureId", o."returnedAt", o."finishedAt") IS DISTINCT FROM (n."unitId", n."procedureId", n."returnedAt", n."finishedAt")
      UNION ALL
      SELECT o."unitId", o."procedureId", agg_local_day(COALESCE(o."returnedAt", o."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, -1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN "FeedbackResponse" r ON r."dossierId" = n.id WHERE (o."unitId", o."procedureId", o."returnedAt", o."finishedAt") IS DISTINCT FROM (n."unitId", n."procedureId", n."returnedAt", n."finishedAt")
    ) x(c0, c1, c2, c3, c4, c5, c6, c7, s)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons") DO UPDATE SET n = t.n + EXCLUDED.n;
  INSERT INTO "InvitationDaily" AS t ("unitId", "procedureId", "day", "channel", n)
    SELECT c0, c1, c2, c3, sum(s)::int FROM (
      SELECT n."unitId", n."procedureId", agg_local_day(COALESCE(n."returnedAt", n."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), 1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN "SurveyInvitation" i ON i."dossierId" = n.id WHERE (o."unitId", o."procedureId", o."returnedAt", o."finishedAt") IS DISTINCT FROM (n."unitId", n."procedureId", n."returnedAt", n."finishedAt")
      UNION ALL
      SELECT o."unitId", o."procedureId", agg_local_day(COALESCE(o."returnedAt", o."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), -1 FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN "SurveyInvitation" i ON i."dossierId" = n.id WHERE (o."unitId", o."procedureId", o."returnedAt", o."finishedAt") IS DISTINCT FROM (n."unitId", n."procedureId", n."returnedAt", n."finishedAt")
    ) x(c0, c1, c2, c3, s)
    GROUP BY 1, 2, 3, 4 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("unitId", "procedureId", "day", "channel") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

-- Row-level and BEFORE: the dossier's responses and invitations are still there to subtract.
CREATE FUNCTION agg_dossier_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "DossierDaily" AS t ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied", n)
    SELECT c0, c1, c2, c3, c4, c5, sum(s)::int FROM (
      SELECT o."unitId", o."procedureId",
        agg_local_day(CASE WHEN dossier_finished(o.status) THEN COALESCE(o."finishedAt", o."statusAt") ELSE o."appointmentAt" END),
        dossier_finished(o.status),
        dossier_finished(o.status) AND (COALESCE(o."finishedAt", o."statusAt") > o."appointmentAt" OR o."supplementCount" > 1),
        EXISTS (SELECT 1 FROM "FeedbackResponse" x WHERE x."dossierId" = o.id AND (x.overall = 'not_satisfied' OR x.complaint)), -1 FROM (SELECT OLD.*) o
    ) x(c0, c1, c2, c3, c4, c5, s)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("unitId", "procedureId", "day", "finished", "overdue", "dissatisfied") DO UPDATE SET n = t.n + EXCLUDED.n;
  INSERT INTO "RatingDaily" AS t ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons", n)
    SELECT c0, c1, c2, c3, c4, c5, c6, c7, sum(s)::int FROM (
      SELECT o."unitId", o."procedureId", agg_local_day(COALESCE(o."returnedAt", o."finishedAt", r."firstAnsweredAt")),
        r.channel, r."surveyVersionId", agg_answer(r.overall), r.complaint,
        CASE WHEN r.overall = 'not_satisfied' THEN array_to_string(r.reasons, ';') ELSE '' END, -1 FROM (SELECT OLD.*) o JOIN "FeedbackResponse" r ON r."dossierId" = o.id
    ) x(c0, c1, c2, c3, c4, c5, c6, c7, s)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ("unitId", "procedureId", "day", "channel", "surveyVersionId", "answer", "complaint", "reasons") DO UPDATE SET n = t.n + EXCLUDED.n;
  INSERT INTO "InvitationDaily" AS t ("unitId", "procedureId", "day", "channel", n)
    SELECT c0, c1, c2, c3, sum(s)::int FROM (
      SELECT o."unitId", o."procedureId", agg_local_day(COALESCE(o."returnedAt", o."finishedAt", i."invitedAt")),
        COALESCE(i.channel::text, 'unknown'), -1 FROM (SELECT OLD.*) o JOIN "SurveyInvitation" i ON i."dossierId" = o.id
    ) x(c0, c1, c2, c3, s)
    GROUP BY 1, 2, 3, 4 HAVING sum(s) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("unitId", "procedureId", "day", "channel") DO UPDATE SET n = t.n + EXCLUDED.n;
  RETURN OLD;
END
$$;

-- TRUNCATE (backup restore) fires no row triggers: recount whatever is left.
CREATE FUNCTION agg_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM agg_rebuild();
  RETURN NULL;
END
$$;

CREATE TRIGGER agg_feedback_insert AFTER INSERT ON "FeedbackResponse" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_feedback_insert();
CREATE TRIGGER agg_feedback_update AFTER UPDATE ON "FeedbackResponse" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_feedback_update();
CREATE TRIGGER agg_feedback_delete AFTER DELETE ON "FeedbackResponse" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_feedback_delete();
CREATE TRIGGER agg_invitation_insert AFTER INSERT ON "SurveyInvitation" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_invitation_insert();
CREATE TRIGGER agg_invitation_update AFTER UPDATE ON "SurveyInvitation" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_invitation_update();
CREATE TRIGGER agg_invitation_delete AFTER DELETE ON "SurveyInvitation" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_invitation_delete();
CREATE TRIGGER agg_dossier_insert AFTER INSERT ON "Dossier" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_dossier_insert();
CREATE TRIGGER agg_dossier_update AFTER UPDATE ON "Dossier" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agg_dossier_update();
CREATE TRIGGER agg_dossier_delete BEFORE DELETE ON "Dossier" FOR EACH ROW EXECUTE FUNCTION agg_dossier_delete();
CREATE TRIGGER agg_truncated AFTER TRUNCATE ON "Dossier" FOR EACH STATEMENT EXECUTE FUNCTION agg_truncated();
CREATE TRIGGER agg_truncated AFTER TRUNCATE ON "FeedbackResponse" FOR EACH STATEMENT EXECUTE FUNCTION agg_truncated();
CREATE TRIGGER agg_truncated AFTER TRUNCATE ON "SurveyInvitation" FOR EACH STATEMENT EXECUTE FUNCTION agg_truncated();

-- Existing data.
SELECT agg_rebuild();


-- ---------------------------------------------------------------------------------------
-- Feedback CSV export rendered in SQL (src/core/export/sql-csv.ts): a text cell exactly as
-- csvField() in src/core/export/writers.ts writes it — control characters dropped, a leading
-- = + - @ tab or CR neutralised with an apostrophe, RFC 4180 quoting. A test compares the two
-- byte for byte.
CREATE FUNCTION export_csv_quote(p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p ~ '[",\r\n]' THEN '"' || replace(p, '"', '""') || '"' ELSE p END
$$;

CREATE FUNCTION export_csv_guard(c text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT export_csv_quote(CASE WHEN c ~ '^[-=+@\t\r]' THEN '''' || c ELSE c END)
$$;

CREATE FUNCTION export_csv_text(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN s IS NULL THEN ''
    WHEN s !~ '[\x01-\x1f",\ufffe\uffff]|^[-=+@]' THEN s
    ELSE export_csv_guard(regexp_replace(s, '[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]', '', 'g'))
  END
$$;

-- A timestamp(3) (UTC) as the export's "YYYY-MM-DD HH:MM:SS" in Vietnam time, '' for NULL.
CREATE FUNCTION export_csv_time(ts timestamp) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(to_char(ts + interval '7 hours', 'YYYY-MM-DD HH24:MI:SS'), '')
$$;
