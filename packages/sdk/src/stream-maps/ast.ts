export type ArithmeticOperator = '+' | '-' | '*' | '/' | '//' | '%';
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';
export type LiteralValue = string | number | boolean | null;

interface Located {
  /** 1-based column in the expression source. */
  readonly column: number;
}

export interface LiteralNode extends Located {
  readonly kind: 'literal';
  readonly value: LiteralValue;
  /** A number literal written without fraction or exponent. */
  readonly isInteger: boolean;
}

export interface ListNode extends Located {
  readonly kind: 'list';
  readonly items: readonly ExpressionNode[];
}

export interface NameNode extends Located {
  readonly kind: 'name';
  readonly name: string;
}

/** `a.b` (key is a string literal) or `a[expr]`. */
export interface MemberNode extends Located {
  readonly kind: 'member';
  readonly object: ExpressionNode;
  readonly key: ExpressionNode;
}

/** Python slice `a[start:end]`. */
export interface SliceNode extends Located {
  readonly kind: 'slice';
  readonly object: ExpressionNode;
  readonly start: ExpressionNode | undefined;
  readonly end: ExpressionNode | undefined;
}

export interface CallNode extends Located {
  readonly kind: 'call';
  readonly callee: string;
  readonly args: readonly ExpressionNode[];
}

/** Python-style `value.lower()`: resolved against an allow-list of methods, never against the value. */
export interface MethodCallNode extends Located {
  readonly kind: 'method';
  readonly receiver: ExpressionNode;
  readonly method: string;
  readonly args: readonly ExpressionNode[];
}

export interface UnaryNode extends Located {
  readonly kind: 'unary';
  readonly operator: '-' | '+' | 'not';
  readonly operand: ExpressionNode;
}

export interface ArithmeticNode extends Located {
  readonly kind: 'arithmetic';
  readonly operator: ArithmeticOperator;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export interface LogicalNode extends Located {
  readonly kind: 'logical';
  readonly operator: 'and' | 'or';
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export interface ComparisonStep extends Located {
  readonly operator: ComparisonOperator;
  readonly operand: ExpressionNode;
}

/** Python chains comparisons: `0 < x <= 10` is `0 < x and x <= 10`, with `x` evaluated once. */
export interface ComparisonNode extends Located {
  readonly kind: 'comparison';
  readonly first: ExpressionNode;
  readonly steps: readonly ComparisonStep[];
}

export interface ConditionalNode extends Located {
  readonly kind: 'conditional';
  readonly test: ExpressionNode;
  readonly consequent: ExpressionNode;
  readonly alternate: ExpressionNode;
}

export type ExpressionNode =
  | LiteralNode
  | ListNode
  | NameNode
  | MemberNode
  | SliceNode
  | CallNode
  | MethodCallNode
  | UnaryNode
  | ArithmeticNode
  | LogicalNode
  | ComparisonNode
  | ConditionalNode;
