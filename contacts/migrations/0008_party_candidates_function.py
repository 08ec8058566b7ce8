from django.db import migrations

# Identity resolution's locks and look-ups in one round trip (contacts.services.identity). A VOLATILE function's
# statements each read what committed before that statement began: the look-ups after the advisory locks see a
# party that a resolution we waited for has just created, which a single SELECT taking the locks could not.
# With each party found, its preferred e-mail address (at most one: a constraint), which its case's e-mail goes to.
PREFERRED_EMAIL = (
    "(SELECT value::text FROM contacts_contactpoint WHERE party_id = p.id AND kind = 'email' AND preferred)"
)
CREATE = f"""
CREATE OR REPLACE FUNCTION contacts_party_candidates(
    keys text[],
    given_national_number text,
    given_enterprise_number text,
    given_association_code text,
    given_email text,
    given_phone text
) RETURNS TABLE (matched text, party contacts_party, preferred_email text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Concurrent resolutions of the same identifier, e-mail or phone wait for each other; sorted, so that two
    -- never wait crosswise.
    PERFORM pg_advisory_xact_lock(hashtext(k)) FROM (SELECT DISTINCT unnest(keys) AS k ORDER BY 1) AS sorted_keys;
    -- The party holding an identifier, in this order; identifiers are unique and a tombstone holds none.
    IF given_national_number IS NOT NULL THEN
        RETURN QUERY SELECT 'national_number'::text, p, {PREFERRED_EMAIL} FROM contacts_party p
            WHERE p.national_number = given_national_number FOR NO KEY UPDATE;
        IF FOUND THEN RETURN; END IF;
    END IF;
    IF given_enterprise_number IS NOT NULL THEN
        RETURN QUERY SELECT 'enterprise_number'::text, p, {PREFERRED_EMAIL} FROM contacts_party p
            WHERE p.enterprise_number = given_enterprise_number FOR NO KEY UPDATE;
        IF FOUND THEN RETURN; END IF;
    END IF;
    IF given_association_code IS NOT NULL THEN
        RETURN QUERY SELECT 'association_code'::text, p, {PREFERRED_EMAIL} FROM contacts_party p
            WHERE p.association_code = given_association_code FOR NO KEY UPDATE;
        IF FOUND THEN RETURN; END IF;
    END IF;
    -- Else the parties holding the e-mail address, then those holding the phone number (at most 20 of each), each
    -- by id, locked in that order ('email' sorts before 'phone').
    RETURN QUERY SELECT held.kind::text, p, {PREFERRED_EMAIL} FROM contacts_party p JOIN (
        (SELECT 'email' AS kind, party_id FROM contacts_contactpoint
            WHERE kind = 'email' AND value = given_email ORDER BY party_id LIMIT 20)
        UNION ALL
        (SELECT 'phone' AS kind, party_id FROM contacts_contactpoint
            WHERE kind = 'phone' AND value = given_phone ORDER BY party_id LIMIT 20)
    ) AS held ON held.party_id = p.id
    ORDER BY held.kind, p.id FOR NO KEY UPDATE OF p;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS contacts_party_candidates(text[], text, text, text, text, text)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0007_imported_history")]

    operations = [migrations.RunPython(create, drop)]
