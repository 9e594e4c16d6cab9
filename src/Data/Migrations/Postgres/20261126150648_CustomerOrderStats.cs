using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
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
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OrderCount",
                table: "Customers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "OrdersTotal",
                table: "Customers",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Kept by statement-level triggers on Orders (one UPDATE per statement, so COPY and bulk writes stay fast):
            // inserts add per customer; updates and deletes recount the customers they touch through (CustomerId, CreatedAt).
            migrationBuilder.Sql("""
                UPDATE "Customers" c SET "OrderCount" = s.n, "OrdersTotal" = s.spent, "LastOrderAt" = s.last
                FROM (SELECT "CustomerId", count(*) AS n, sum(CASE WHEN "Status" <> 'Cancelled' THEN "Total" ELSE 0 END) AS spent, max("CreatedAt") AS last
                      FROM "Orders" WHERE "CustomerId" IS NOT NULL GROUP BY "CustomerId") s
                WHERE c."Id" = s."CustomerId";
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION cm_order_stats_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "Customers" c SET
                        "OrderCount" = c."OrderCount" + s.n,
                        "OrdersTotal" = c."OrdersTotal" + s.spent,
                        "LastOrderAt" = GREATEST(c."LastOrderAt", s.last)
                    FROM (SELECT "CustomerId", count(*) AS n, sum(CASE WHEN "Status" <> 'Cancelled' THEN "Total" ELSE 0 END) AS spent, max("CreatedAt") AS last
                          FROM new_rows WHERE "CustomerId" IS NOT NULL GROUP BY "CustomerId") s
                    WHERE c."Id" = s."CustomerId";
                    RETURN NULL;
                END $$;
                CREATE FUNCTION cm_order_stats_recount() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "Customers" c SET
                        "OrderCount" = (SELECT count(*) FROM "Orders" o WHERE o."CustomerId" = c."Id"),
                        "OrdersTotal" = (SELECT coalesce(sum(CASE WHEN o."Status" <> 'Cancelled' THEN o."Total" ELSE 0 END), 0) FROM "Orders" o WHERE o."CustomerId" = c."Id"),
                        "LastOrderAt" = (SELECT max(o."CreatedAt") FROM "Orders" o WHERE o."CustomerId" = c."Id")
                    WHERE c."Id" IN (SELECT "CustomerId" FROM old_rows WHERE "CustomerId" IS NOT NULL
                                     UNION SELECT "CustomerId" FROM changed_rows WHERE "CustomerId" IS NOT NULL);
                    RETURN NULL;
                END $$;
                CREATE FUNCTION cm_order_stats_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "Customers" c SET
                        "OrderCount" = (SELECT count(*) FROM "Orders" o WHERE o."CustomerId" = c."Id"),
                        "OrdersTotal" = (SELECT coalesce(sum(CASE WHEN o."Status" <> 'Cancelled' THEN o."Total" ELSE 0 END), 0) FROM "Orders" o WHERE o."CustomerId" = c."Id"),
                        "LastOrderAt" = (SELECT max(o."CreatedAt") FROM "Orders" o WHERE o."CustomerId" = c."Id")
                    WHERE c."Id" IN (SELECT "CustomerId" FROM old_rows WHERE "CustomerId" IS NOT NULL);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER "Orders_stats_insert" AFTER INSERT ON "Orders" REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION cm_order_stats_inserted();
                CREATE TRIGGER "Orders_stats_update" AFTER UPDATE ON "Orders" REFERENCING OLD TABLE AS old_rows NEW TABLE AS changed_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION cm_order_stats_recount();
                CREATE TRIGGER "Orders_stats_delete" AFTER DELETE ON "Orders" REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION cm_order_stats_deleted();
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
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS "Orders_stats_insert" ON "Orders";
                DROP TRIGGER IF EXISTS "Orders_stats_update" ON "Orders";
                DROP TRIGGER IF EXISTS "Orders_stats_delete" ON "Orders";
                DROP FUNCTION IF EXISTS cm_order_stats_inserted();
                DROP FUNCTION IF EXISTS cm_order_stats_recount();
                DROP FUNCTION IF EXISTS cm_order_stats_deleted();
                """);

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
