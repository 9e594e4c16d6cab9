using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrderShortIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The expression ShortIdSql.ShortId translates to: orders found by their short number (#6B310869) by a seek.
            migrationBuilder.Sql("CREATE INDEX IF NOT EXISTS \"IX_Orders_ShortId\" ON \"Orders\" (substr(\"Id\", -8));");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_Orders_ShortId\";");
        }
    }
}
