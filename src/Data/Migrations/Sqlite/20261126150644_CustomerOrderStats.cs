using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CustomerOrderStats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastOrderAt",
                table: "Customers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OrderCount",
                table: "Customers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "OrdersTotal",
                table: "Customers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Kept by triggers on Orders: every write path (console, API, seed, import, a customer's deletion) keeps them
            // right. Inserts add; updates and deletes recount the customers they touch through (CustomerId, CreatedAt).
            migrationBuilder.Sql("""
                UPDATE "Customers" SET
                    "OrderCount" = (SELECT count(*) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                    "OrdersTotal" = (SELECT coalesce(sum(CASE WHEN o."Status" <> 'Cancelled' THEN o."Total" ELSE 0 END), 0) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                    "LastOrderAt" = (SELECT max(o."CreatedAt") FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id")
                WHERE "Id" IN (SELECT "CustomerId" FROM "Orders" WHERE "CustomerId" IS NOT NULL);
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Orders_stats_insert" AFTER INSERT ON "Orders" WHEN new."CustomerId" IS NOT NULL BEGIN
                    UPDATE "Customers" SET
                        "OrderCount" = "OrderCount" + 1,
                        "OrdersTotal" = "OrdersTotal" + CASE WHEN new."Status" <> 'Cancelled' THEN new."Total" ELSE 0 END,
                        "LastOrderAt" = CASE WHEN "LastOrderAt" IS NULL OR new."CreatedAt" > "LastOrderAt" THEN new."CreatedAt" ELSE "LastOrderAt" END
                    WHERE "Id" = new."CustomerId";
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Orders_stats_update" AFTER UPDATE OF "CustomerId", "Status", "Total", "CreatedAt" ON "Orders" BEGIN
                    UPDATE "Customers" SET
                        "OrderCount" = (SELECT count(*) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                        "OrdersTotal" = (SELECT coalesce(sum(CASE WHEN o."Status" <> 'Cancelled' THEN o."Total" ELSE 0 END), 0) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                        "LastOrderAt" = (SELECT max(o."CreatedAt") FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id")
                    WHERE "Id" IN (old."CustomerId", new."CustomerId");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Orders_stats_delete" AFTER DELETE ON "Orders" WHEN old."CustomerId" IS NOT NULL BEGIN
                    UPDATE "Customers" SET
                        "OrderCount" = (SELECT count(*) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                        "OrdersTotal" = (SELECT coalesce(sum(CASE WHEN o."Status" <> 'Cancelled' THEN o."Total" ELSE 0 END), 0) FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id"),
                        "LastOrderAt" = (SELECT max(o."CreatedAt") FROM "Orders" o WHERE o."CustomerId" = "Customers"."Id")
                    WHERE "Id" = old."CustomerId";
                END;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Customers_LastOrderAt_Id",
                table: "Customers",
                columns: new[] { "LastOrderAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_OrderCount_Id",
                table: "Customers",
                columns: new[] { "OrderCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_OrdersTotal_Id",
                table: "Customers",
                columns: new[] { "OrdersTotal", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Orders_stats_insert\"; DROP TRIGGER IF EXISTS \"Orders_stats_update\"; DROP TRIGGER IF EXISTS \"Orders_stats_delete\";");

            migrationBuilder.DropIndex(
                name: "IX_Customers_LastOrderAt_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_OrderCount_Id",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "IX_Customers_OrdersTotal_Id",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "LastOrderAt",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "OrderCount",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "OrdersTotal",
                table: "Customers");
        }
    }
}
