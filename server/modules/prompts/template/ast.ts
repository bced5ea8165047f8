/**
 * The shapes of @huggingface/jinja's AST nodes (its `src/ast.ts`), which the package does not export
 * as types. Nodes are discriminated by `type`; `children` lists every sub-node so walkers cannot
 * forget one (a new node type in a library upgrade shows up as a type error in `children`).
 */

interface OperatorToken {
  value: string;
  type: string;
}

export type Node =
  | ProgramNode
  | IfNode
  | ForNode
  | { type: "Break" }
  | { type: "Continue" }
  | SetNode
  | MacroNode
  | CommentNode
  | MemberExpressionNode
  | CallExpressionNode
  | IdentifierNode
  | { type: "IntegerLiteral"; value: number }
  | { type: "FloatLiteral"; value: number }
  | StringLiteralNode
  | { type: "ArrayLiteral"; value: Node[] }
  | TupleLiteralNode
  | { type: "ObjectLiteral"; value: Map<Node, Node> }
  | { type: "BinaryExpression"; operator: OperatorToken; left: Node; right: Node }
  | FilterExpressionNode
  | FilterStatementNode
  | { type: "SelectExpression"; lhs: Node; test: Node }
  | TestExpressionNode
  | { type: "UnaryExpression"; operator: OperatorToken; argument: Node }
  | { type: "SliceExpression"; start?: Node; stop?: Node; step?: Node }
  | KeywordArgumentNode
  | { type: "SpreadExpression"; argument: Node }
  | { type: "KeywordSpreadExpression"; argument: Node }
  | CallStatementNode
  | { type: "Ternary"; condition: Node; trueExpr: Node; falseExpr: Node };

export interface ProgramNode {
  type: "Program";
  body: Node[];
}
interface IfNode {
  type: "If";
  test: Node;
  body: Node[];
  alternate: Node[];
}
interface ForNode {
  type: "For";
  loopvar: IdentifierNode | TupleLiteralNode;
  iterable: Node;
  body: Node[];
  defaultBlock: Node[];
}
interface SetNode {
  type: "Set";
  assignee: Node;
  value: Node | null;
  body: Node[];
}
interface MacroNode {
  type: "Macro";
  name: IdentifierNode;
  args: (IdentifierNode | KeywordArgumentNode)[];
  body: Node[];
}
interface CommentNode {
  type: "Comment";
  value: string;
}
export interface MemberExpressionNode {
  type: "MemberExpression";
  object: Node;
  property: Node;
  computed: boolean;
}
interface CallExpressionNode {
  type: "CallExpression";
  callee: Node;
  args: Node[];
}
export interface IdentifierNode {
  type: "Identifier";
  value: string;
}
interface StringLiteralNode {
  type: "StringLiteral";
  value: string;
}
interface TupleLiteralNode {
  type: "TupleLiteral";
  value: Node[];
}
interface FilterExpressionNode {
  type: "FilterExpression";
  operand: Node;
  filter: IdentifierNode | CallExpressionNode;
}
interface FilterStatementNode {
  type: "FilterStatement";
  filter: IdentifierNode | CallExpressionNode;
  body: Node[];
}
interface TestExpressionNode {
  type: "TestExpression";
  operand: Node;
  negate: boolean;
  test: IdentifierNode;
}
interface KeywordArgumentNode {
  type: "KeywordArgumentExpression";
  key: IdentifierNode;
  value: Node;
}
interface CallStatementNode {
  type: "CallStatement";
  call: CallExpressionNode;
  callerArgs: (IdentifierNode | KeywordArgumentNode)[] | null;
  body: Node[];
}

/** Every direct sub-node, in source order where the syntax has one. */
export function children(node: Node): Node[] {
  switch (node.type) {
    case "Program":
      return node.body;
    case "If":
      return [node.test, ...node.body, ...node.alternate];
    case "For":
      return [node.loopvar, node.iterable, ...node.body, ...node.defaultBlock];
    case "Set":
      return [node.assignee, ...(node.value ? [node.value] : []), ...node.body];
    case "Macro":
      return [node.name, ...node.args, ...node.body];
    case "MemberExpression":
      return [node.object, node.property];
    case "CallExpression":
      return [node.callee, ...node.args];
    case "ArrayLiteral":
    case "TupleLiteral":
      return node.value;
    case "ObjectLiteral":
      return [...node.value].flat();
    case "BinaryExpression":
      return [node.left, node.right];
    case "FilterExpression":
      return [node.operand, node.filter];
    case "FilterStatement":
      return [node.filter, ...node.body];
    case "SelectExpression":
      return [node.lhs, node.test];
    case "TestExpression":
      return [node.operand, node.test];
    case "UnaryExpression":
    case "SpreadExpression":
    case "KeywordSpreadExpression":
      return [node.argument];
    case "SliceExpression":
      return [node.start, node.stop, node.step].filter((n): n is Node => n !== undefined);
    case "KeywordArgumentExpression":
      return [node.key, node.value];
    case "CallStatement":
      return [...(node.callerArgs ?? []), node.call, ...node.body];
    case "Ternary":
      return [node.trueExpr, node.condition, node.falseExpr];
    case "Break":
    case "Continue":
    case "Comment":
    case "Identifier":
    case "IntegerLiteral":
    case "FloatLiteral":
    case "StringLiteral":
      return [];
    default: {
      const unknown: never = node;
      throw new Error(`Unknown template node ${(unknown as { type: string }).type}`);
    }
  }
}

/** The statement lists a node owns (where statements, includes and printed expressions live). */
export function bodies(node: Node): Node[][] {
  switch (node.type) {
    case "Program":
      return [node.body];
    case "If":
      return [node.body, node.alternate];
    case "For":
      return [node.body, node.defaultBlock];
    case "Set":
    case "Macro":
    case "FilterStatement":
    case "CallStatement":
      return [node.body];
    default:
      return [];
  }
}

/** Nodes that are statements; anything else in a body is an expression whose value is printed. */
const STATEMENT_TYPES = new Set([
  "Program",
  "If",
  "For",
  "Break",
  "Continue",
  "Set",
  "Macro",
  "Comment",
  "FilterStatement",
  "CallStatement",
]);

export function isStatement(node: Node): boolean {
  return STATEMENT_TYPES.has(node.type);
}
