using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
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
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Kept by triggers on Addresses, so every write path (console, API, import, merge, erasure, seed) keeps it right.
            // Each address reads as: street, postcode without spaces, phone digits (the one box's OneBox folds what is typed
            // the same way). An insert appends its address unless the text already holds it (the seed writes the whole text
            // with the customer); a change or a deletion reads the customer's addresses again.
            migrationBuilder.Sql("""
                UPDATE "Customers" SET "AddressSearch" = coalesce((SELECT group_concat(upper(a."Line1") || ' | ' || upper(replace(a."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(a."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', ''), ' | ') FROM "Addresses" a WHERE a."CustomerId" = "Customers"."Id"), '')
                WHERE "Id" IN (SELECT "CustomerId" FROM "Addresses");
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Addresses_search_insert" AFTER INSERT ON "Addresses" BEGIN
                    UPDATE "Customers" SET "AddressSearch" = CASE WHEN "AddressSearch" = '' THEN upper(new."Line1") || ' | ' || upper(replace(new."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(new."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '') ELSE "AddressSearch" || ' | ' || upper(new."Line1") || ' | ' || upper(replace(new."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(new."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '') END
                    WHERE "Id" = new."CustomerId" AND instr("AddressSearch", upper(new."Line1") || ' | ' || upper(replace(new."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(new."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')) = 0;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Addresses_search_update" AFTER UPDATE OF "CustomerId", "Line1", "Postcode", "PhoneNumber" ON "Addresses" BEGIN
                    UPDATE "Customers" SET "AddressSearch" = coalesce((SELECT group_concat(upper(a."Line1") || ' | ' || upper(replace(a."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(a."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', ''), ' | ') FROM "Addresses" a WHERE a."CustomerId" = "Customers"."Id"), '')
                    WHERE "Id" IN (old."CustomerId", new."CustomerId");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Addresses_search_delete" AFTER DELETE ON "Addresses" BEGIN
                    UPDATE "Customers" SET "AddressSearch" = coalesce((SELECT group_concat(upper(a."Line1") || ' | ' || upper(replace(a."Postcode", ' ', '')) || ' | ' || replace(replace(replace(replace(replace(replace(replace(coalesce(a."PhoneNumber", ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', ''), ' | ') FROM "Addresses" a WHERE a."CustomerId" = "Customers"."Id"), '')
                    WHERE "Id" = old."CustomerId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Addresses_search_insert\"; DROP TRIGGER IF EXISTS \"Addresses_search_update\"; DROP TRIGGER IF EXISTS \"Addresses_search_delete\";");

            migrationBuilder.DropColumn(
                name: "AddressSearch",
                table: "Customers");
        }
    }
}
