using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ElasticPathImport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AddressesCreated",
                table: "ImportJobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "ImportJobs",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "File");

            migrationBuilder.AddColumn<string>(
                name: "SourceClientId",
                table: "ImportJobs",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceCursor",
                table: "ImportJobs",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceSecret",
                table: "ImportJobs",
                type: "TEXT",
                maxLength: 4096,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceUrl",
                table: "ImportJobs",
                type: "TEXT",
                maxLength: 2048,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WithPassword",
                table: "ImportJobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AddressesCreated",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "SourceClientId",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "SourceCursor",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "SourceSecret",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "SourceUrl",
                table: "ImportJobs");

            migrationBuilder.DropColumn(
                name: "WithPassword",
                table: "ImportJobs");
        }
    }
}
