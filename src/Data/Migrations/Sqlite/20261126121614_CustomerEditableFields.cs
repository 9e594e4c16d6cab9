using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CustomerEditableFields : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CustomerEditable",
                table: "Fields",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // Fields that existed before the flag were open to customers (as in EP): they stay so; new fields start closed.
            migrationBuilder.Sql("UPDATE \"Fields\" SET \"CustomerEditable\" = 1;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CustomerEditable",
                table: "Fields");
        }
    }
}
