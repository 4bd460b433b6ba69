import type { JsonSchema } from '../protocol/messages.js';
import type { ExpressionNode } from './ast.js';
import { FUNCTIONS, METHODS } from './functions.js';
import { ANY, fromSchema, isOnly, nullableLike, typeOf, typeOfValue, union, withNull, withoutNull, type InferredType } from './inferred-type.js';

export interface TypeScope {
  /** The input stream's schema; `undefined` before its SCHEMA message is seen. */
  readonly sourceSchema: JsonSchema | undefined;
  /** The property being mapped, which `self` stands for. */
  readonly selfProperty: string | undefined;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Static type of an expression. Only compiled (hence valid) trees reach this. */
export function inferType(node: ExpressionNode, scope: TypeScope): InferredType {
  const infer = (child: ExpressionNode) => inferType(child, scope);
  switch (node.kind) {
    case 'literal':
      return node.isInteger ? typeOf('integer') : typeOfValue(node.value);
    case 'list':
      return typeOf('array');
    case 'name':
      return nameType(node.name, scope);
    case 'member': {
      if (node.object.kind === 'name' && node.object.name === 'config' && node.key.kind === 'literal') {
        return typeOfValue(scope.config[String(node.key.value)]);
      }
      if (node.object.kind === 'name' && (node.object.name === 'record' || node.object.name === '_') && node.key.kind === 'literal' && typeof node.key.value === 'string') {
        return propertyType(scope.sourceSchema, node.key.value);
      }
      const object = infer(node.object);
      const key = node.key.kind === 'literal' ? node.key.value : undefined;
      const schema = object.schema;
      let member: JsonSchema | undefined;
      if (typeof key === 'string' && schema?.properties !== undefined && Object.hasOwn(schema.properties, key)) member = schema.properties[key];
      if (typeof key === 'number' && schema?.items !== undefined) member = schema.items;
      if (member === undefined) return ANY;
      // A member of a nullable object, or an optional member, can be null.
      return withNull(fromSchema(member));
    }
    case 'slice': {
      const object = infer(node.object);
      if (isOnly(object, 'string')) return nullableLike(typeOf('string'), object);
      if (isOnly(object, 'array')) return object.schema === undefined ? nullableLike(typeOf('array'), object) : object;
      return ANY;
    }
    case 'call':
      return (FUNCTIONS.get(node.callee)?.resultType ?? (() => ANY))(node.args.map(infer));
    case 'method': {
      const definition = FUNCTIONS.get(METHODS.get(node.method) ?? '');
      return definition === undefined ? ANY : definition.resultType([node.receiver, ...node.args].map(infer));
    }
    case 'unary': {
      if (node.operator === 'not') return typeOf('boolean');
      const operand = infer(node.operand);
      return nullableLike(numericType(operand, operand), operand);
    }
    case 'arithmetic': {
      const left = infer(node.left);
      const right = infer(node.right);
      let result: InferredType = ANY;
      if (node.operator === '/') result = isOnly(left, 'integer', 'number') && isOnly(right, 'integer', 'number') ? typeOf('number') : ANY;
      else if (node.operator !== '+') result = numericType(left, right);
      else if (isOnly(left, 'string') && isOnly(right, 'string')) result = typeOf('string');
      else if (isOnly(left, 'array') && isOnly(right, 'array')) result = typeOf('array');
      else result = numericType(left, right);
      return nullableLike(result, left, right);
    }
    case 'logical': {
      const left = infer(node.left);
      const right = infer(node.right);
      // `a or b` gives a truthy `a` (never null) or `b`; `a and b` gives a falsy `a` or `b`.
      return node.operator === 'or' ? union(withoutNull(left), right) : union(left, right);
    }
    case 'comparison':
      return typeOf('boolean');
    case 'conditional':
      return union(infer(node.consequent), infer(node.alternate));
  }
}

function nameType(name: string, scope: TypeScope): InferredType {
  switch (name) {
    case 'record':
    case '_':
      return scope.sourceSchema === undefined ? typeOf('object') : { types: new Set(['object']), schema: scope.sourceSchema };
    case 'self':
      return scope.selfProperty === undefined ? ANY : propertyType(scope.sourceSchema, scope.selfProperty);
    default:
      return propertyType(scope.sourceSchema, name);
  }
}

function propertyType(schema: JsonSchema | undefined, name: string): InferredType {
  const properties = schema?.properties;
  if (properties === undefined || !Object.hasOwn(properties, name)) return ANY;
  return fromSchema(properties[name]);
}

function numericType(left: InferredType, right: InferredType): InferredType {
  if (isOnly(left, 'integer') && isOnly(right, 'integer')) return typeOf('integer');
  if (isOnly(left, 'integer', 'number') && isOnly(right, 'integer', 'number')) return typeOf('number');
  return ANY;
}
