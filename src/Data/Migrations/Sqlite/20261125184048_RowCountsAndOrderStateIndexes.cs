using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RowCountsAndOrderStateIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RowCounts",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RowCounts", x => x.Name);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Payment_Shipping_Status",
                table: "Orders",
                columns: new[] { "Payment", "Shipping", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Shipping_Status_Payment",
                table: "Orders",
                columns: new[] { "Shipping", "Status", "Payment" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Status_Payment_Shipping",
                table: "Orders",
                columns: new[] { "Status", "Payment", "Shipping" });

            // Counts kept by triggers: an unfiltered total is one row read (SQLite syntax; a PostgreSQL
            // deployment would use its own trigger functions here).
            migrationBuilder.Sql("INSERT INTO \"RowCounts\" (\"Name\", \"Count\") SELECT 'Customers', COUNT(*) FROM \"Customers\";");
            migrationBuilder.Sql("INSERT INTO \"RowCounts\" (\"Name\", \"Count\") SELECT 'Orders', COUNT(*) FROM \"Orders\";");
            foreach (var table in new[] { "Customers", "Orders" })
            {
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_insert\" AFTER INSERT ON \"{table}\" BEGIN UPDATE \"RowCounts\" SET \"Count\" = \"Count\" + 1 WHERE \"Name\" = '{table}'; END;");
                migrationBuilder.Sql($"CREATE TRIGGER \"{table}_count_delete\" AFTER DELETE ON \"{table}\" BEGIN UPDATE \"RowCounts\" SET \"Count\" = \"Count\" - 1 WHERE \"Name\" = '{table}'; END;");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "Customers", "Orders" })
            {
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_insert\";");
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{table}_count_delete\";");
            }
            migrationBuilder.DropTable(
                name: "RowCounts");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Payment_Shipping_Status",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Shipping_Status_Payment",
                table: "Orders");

            migrationBuilder.DropIndex(
                name: "IX_Orders_Status_Payment_Shipping",
                table: "Orders");
        }
    }
}
