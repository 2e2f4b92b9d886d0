-- The export's timestamps ("YYYY-MM-DD HH:MM:SS", Vietnam time, '' for NULL) without to_char:
-- to_char was most of the server's time of a CSV export (1M rows: 13.9 s of COPY → 8.0 s).
-- The text form of a timestamp follows DateStyle, so the callers (src/core/export/sql-csv.ts)
-- run it with DateStyle ISO; STABLE because of that (and so that it is still inlined).
CREATE OR REPLACE FUNCTION export_csv_time(ts timestamp) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(date_trunc('second', ts + interval '7 hours')::text, '')
$$;

-- The XLSX export's text cells rendered by the database, as src/core/export/xlsx.ts writes
-- them (a test compares both): control characters dropped and a formula start guarded
-- (safeText), then `<t>` with xml:space="preserve" when the text starts or ends with what
-- JavaScript's \s matches, and & < > CR escaped. NULL for NULL (the cell is left out).
CREATE FUNCTION export_xml_clean(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN s !~ '[\x01-\x1f\ufffe\uffff]|^[-=+@]' THEN s
    ELSE (SELECT CASE WHEN c ~ '^[-=+@\t\r]' THEN '''' || c ELSE c END
            FROM regexp_replace(s, '[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]', '', 'g') AS c)
  END
$$;

CREATE FUNCTION export_xml_t(c text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN c ~ '^[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]|[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$'
              THEN '<t xml:space="preserve">' ELSE '<t>' END
      || CASE WHEN c ~ '[&<>\r]' THEN replace(replace(replace(replace(c, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), E'\r', '&#13;') ELSE c END
      || '</t>'
$$;

CREATE FUNCTION export_xlsx_text(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT export_xml_t(export_xml_clean(s))
$$;
