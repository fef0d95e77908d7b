import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiKeyCreateDto } from './api-key.dto';
import { DTO_VALIDATOR_OPTIONS, validateBody, validationMessages } from '@dane/protocol';
import { refusalOf } from '../../../../test/support/refusal';

const rules = { notObject: 'Invalid key: expected a JSON object', closed: 'Invalid key' };

const refusal = refusalOf((input) => validateBody(ApiKeyCreateDto, input, rules));

describe('ApiKeyCreateDto (POST /DANE/keys/)', () => {
  it('passes a name and a role', () => {
    const dto = validateBody(ApiKeyCreateDto, { name: 'asr worker', role: 'submit' }, rules);
    expect(dto).toBeInstanceOf(ApiKeyCreateDto);
    expect({ ...dto }).toEqual({ name: 'asr worker', role: 'submit' });
    expect(validateBody(ApiKeyCreateDto, { name: 'n'.repeat(200), role: 'admin' }, rules).name).toHaveLength(200);
  });

  // With stopAtFirstError the decorator nearest the property runs first: @IsString, so a missing or
  // non-string name is told it must be a string, not that it is too long.
  it.each([
    ['name missing', { role: 'read' }, 'name must be a string'],
    ['name a number', { name: 5, role: 'read' }, 'name must be a string'],
  ])('refuses a name that is not a string as such: %s', (_case, body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it.each([
    ['name empty', { name: '', role: 'read' }, 'name must be longer than or equal to 1 characters'],
    ['name too long', { name: 'n'.repeat(201), role: 'read' }, 'name must be shorter than or equal to 200 characters'],
    ['role unknown', { name: 'alice', role: 'root' }, 'role must be one of read, submit, operate, admin'],
    ['role missing', { name: 'alice' }, 'role must be one of read, submit, operate, admin'],
  ])('names the field: %s', (_case, body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it('refuses anything else: a body that is not an object, a key it does not declare', () => {
    expect(refusal(['alice'])).toBe('Invalid key: expected a JSON object');
    expect(refusal({ name: 'alice', role: 'read', expires: '2030' })).toBe('Invalid key: unexpected field `expires`');
  });

  it("under the API's whitelisting pipe an undeclared key is `property <path> should not exist`", () => {
    const errors = validateSync(plainToInstance(ApiKeyCreateDto, { name: 'alice', role: 'read', expires: '2030' }), {
      ...DTO_VALIDATOR_OPTIONS,
      whitelist: true,
      forbidNonWhitelisted: true,
    });
    expect(validationMessages(errors)).toEqual(['property expires should not exist']);
  });
});
