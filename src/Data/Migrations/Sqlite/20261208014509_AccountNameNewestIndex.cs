using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AccountNameNewestIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Accounts_NormalizedName_CreatedAt_Id",
                table: "Accounts",
                columns: new[] { "NormalizedName", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Accounts_NormalizedName_CreatedAt_Id",
                table: "Accounts");
        }
    }
}
