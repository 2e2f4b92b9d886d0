-- The applicant's export pseudonym kept with the dossier (an HMAC keyed by the service's
-- pepper; the process computes it: src/core/export/pseudonyms.ts), so that an export reads it
-- instead of hashing every row. NULL until the service's job fills it; an export hashes the
-- rows still without one. The database already holds the phone in clear, so the stored HMAC
-- exposes nothing new.
ALTER TABLE "Dossier" ADD COLUMN "applicantPseudonym" TEXT;

-- A write that changes what the pseudonym is made of (ID hash, phone, code) without setting a
-- new one clears it: a stale pseudonym can never reach an export. The WHEN clause keeps the
-- function out of every other update.
CREATE FUNCTION dossier_pseudonym_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."applicantPseudonym" := NULL;
  RETURN NEW;
END
$$;

CREATE TRIGGER dossier_pseudonym_stale BEFORE UPDATE ON "Dossier" FOR EACH ROW
  WHEN (OLD."applicantPseudonym" IS NOT NULL
        AND NEW."applicantPseudonym" IS NOT DISTINCT FROM OLD."applicantPseudonym"
        AND (NEW."applicantIdHash", NEW."applicantPhone", NEW."code") IS DISTINCT FROM (OLD."applicantIdHash", OLD."applicantPhone", OLD."code"))
  EXECUTE FUNCTION dossier_pseudonym_stale();

CREATE INDEX "Dossier_pseudonym_missing_idx" ON "Dossier" ("id") WHERE "applicantPseudonym" IS NULL;
