using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CreationIndexTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Customers_CreatedAt_Id",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_CreatedAt_Id",
                table: "Customers",
                columns: new[] { "CreatedAt", "Id" })
                .Annotation("Npgsql:IndexInclude", new[] { "NormalizedEmail", "NormalizedName" });

            // An index-only walk reads a row only where its page is not yet marked all-visible, which new customers'
            // pages are until a vacuum. By default autovacuum waits for inserts of a fifth of the table (two million at
            // 10M), and the newest customers are where every walk starts: vacuum after every 10,000 inserts instead (a
            // vacuum after inserts alone skips the all-visible pages and the indexes, and also empties the trigram
            // indexes' pending lists, which every contains search otherwise reads in full).
            migrationBuilder.Sql("ALTER TABLE \"Customers\" SET (autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE \"Customers\" RESET (autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor);");

            migrationBuilder.DropIndex(
                name: "IX_Customers_CreatedAt_Id",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "IX_Customers_CreatedAt_Id",
                table: "Customers",
                columns: new[] { "CreatedAt", "Id" });
        }
    }
}
