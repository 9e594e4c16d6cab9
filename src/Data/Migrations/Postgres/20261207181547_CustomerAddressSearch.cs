using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CustomerAddressSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AddressSearch",
                table: "Customers",
                type: "text",
                nullable: false,
                defaultValue: "",
                collation: "C");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_AddressSearch_trgm",
                table: "Customers",
                column: "AddressSearch")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            // Kept by a trigger on Addresses, so every write path (console, API, import, merge, erasure, seed) keeps it right.
            // Each address reads as: street, postcode without spaces, phone digits (the one box's OneBox folds what is typed
            // the same way; "C" upper-cases ASCII letters only, as SQLite's upper). An insert appends its address unless the
            // text already holds it (the seed writes the whole text with the customer); a change or a deletion reads the
            // customer's addresses again.
            migrationBuilder.Sql("""
                CREATE FUNCTION "Address_search_keys"(line1 text, postcode text, phone text) RETURNS text IMMUTABLE LANGUAGE sql AS $$
                    SELECT upper(line1 COLLATE "C") || ' | ' || upper(replace(postcode, ' ', '') COLLATE "C") || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(phone, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')
                $$;
                UPDATE "Customers" c SET "AddressSearch" = s.keys
                FROM (SELECT a."CustomerId", string_agg("Address_search_keys"(a."Line1", a."Postcode", a."PhoneNumber"), ' | ') AS keys
                      FROM "Addresses" a GROUP BY a."CustomerId") s
                WHERE c."Id" = s."CustomerId";
                CREATE FUNCTION "Addresses_search"() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    keys text;
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        keys := "Address_search_keys"(new."Line1", new."Postcode", new."PhoneNumber");
                        UPDATE "Customers" SET "AddressSearch" = CASE WHEN "AddressSearch" = '' THEN keys ELSE "AddressSearch" || ' | ' || keys END
                        WHERE "Id" = new."CustomerId" AND strpos("AddressSearch", keys) = 0;
                        RETURN NULL;
                    END IF;
                    IF TG_OP = 'UPDATE' AND old."CustomerId" = new."CustomerId" AND old."Line1" = new."Line1" AND old."Postcode" = new."Postcode"
                        AND old."PhoneNumber" IS NOT DISTINCT FROM new."PhoneNumber" THEN
                        RETURN NULL;
                    END IF;
                    UPDATE "Customers" c SET "AddressSearch" = coalesce((SELECT string_agg("Address_search_keys"(a."Line1", a."Postcode", a."PhoneNumber"), ' | ')
                        FROM "Addresses" a WHERE a."CustomerId" = c."Id"), '')
                    WHERE c."Id" = old."CustomerId" OR c."Id" = CASE WHEN TG_OP = 'UPDATE' THEN new."CustomerId" END;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "Addresses_search" AFTER INSERT OR UPDATE OR DELETE ON "Addresses" FOR EACH ROW EXECUTE FUNCTION "Addresses_search"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Addresses_search\" ON \"Addresses\"; DROP FUNCTION IF EXISTS \"Addresses_search\"(); DROP FUNCTION IF EXISTS \"Address_search_keys\"(text, text, text);");

            migrationBuilder.DropIndex(
                name: "IX_Customers_AddressSearch_trgm",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "AddressSearch",
                table: "Customers");
        }
    }
}
