using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddressRowCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Addresses are counted like customers and orders, so the field designer can tell whether the flow has records.
            migrationBuilder.Sql("INSERT INTO \"RowCounts\" (\"Name\", \"Count\") SELECT 'Addresses', COUNT(*) FROM \"Addresses\";");
            migrationBuilder.Sql("CREATE TRIGGER \"Addresses_count_insert\" AFTER INSERT ON \"Addresses\" BEGIN UPDATE \"RowCounts\" SET \"Count\" = \"Count\" + 1 WHERE \"Name\" = 'Addresses'; END;");
            migrationBuilder.Sql("CREATE TRIGGER \"Addresses_count_delete\" AFTER DELETE ON \"Addresses\" BEGIN UPDATE \"RowCounts\" SET \"Count\" = \"Count\" - 1 WHERE \"Name\" = 'Addresses'; END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Addresses_count_insert\";");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS \"Addresses_count_delete\";");
            migrationBuilder.Sql("DELETE FROM \"RowCounts\" WHERE \"Name\" = 'Addresses';");
        }
    }
}
